// The `http` source as the Lambda package's `bootstrap` has it: absent.
//
// The real source (http_source.cc) serves with cpp-httplib, and linking it would make every
// cold start of the Lambda runtime load libcpp-httplib, libssl, brotli and zlib as shared
// objects and initialise OpenSSL's TLS layer before main (bench/README.md, "Lambda: cold start
// without shared OpenSSL"). A Lambda function receives its events from the Runtime API, never
// from a listening socket, so the bootstrap links this object before the module archive and the
// linker never takes http_source.o: `watch` with an `http` source, run from the Lambda package,
// fails at start-up with the message below. `trailwatch` itself links the real source.
#include <httplib.h>  // httplib::Server's (virtual) destructor for ~HttpSource; no symbol is used

#include "sources/http/http_source.h"

namespace tw::sources {

Result<std::unique_ptr<HttpSource>> HttpSource::Create(HttpOptions options, const Clock&) {
  return Fail(ErrorCode::kInvalidArgument,
              "source `" + options.name +
                  "`: the http source is not part of the Lambda package's bootstrap; run the "
                  "trailwatch binary for it");
}

// Never constructed (Create always fails); defined for the vtable daemon.cc refers to.
HttpSource::~HttpSource() = default;

Result<std::optional<Batch>> HttpSource::Next(const std::atomic<bool>&) { return std::nullopt; }

void HttpSource::Ack(const Batch&) {}

void HttpSource::Nack(const Batch&, const Error&) {}

}  // namespace tw::sources
