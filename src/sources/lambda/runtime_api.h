// RuntimeApi: the client side of the AWS Lambda Runtime API (2018-06-01), over http::HttpClient.
//
// A custom runtime (provided.al2023) is a process that loops: GET invocation/next, handle the
// event, POST invocation/{id}/response or invocation/{id}/error; a runtime that cannot start
// POSTs init/error and exits (AWS Lambda Developer Guide, "Using the Lambda runtime API for
// custom runtimes"). The base URL is http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01.
//
// Next() reads the invocation headers: Lambda-Runtime-Aws-Request-Id, -Deadline-Ms (epoch
// milliseconds at which the function times out), -Invoked-Function-Arn and -Trace-Id. Other
// headers are tolerated and ignored. A missing request id cannot be answered at all (the
// response path needs it): Next returns kParse and the caller simply asks for the next event.
// A missing or malformed deadline is not fatal to the loop: Invocation::problem says what was
// wrong and the caller answers that invocation with an error.
//
// Errors are posted as {"errorMessage":"...","errorType":"..."} with the same type in the
// Lambda-Runtime-Function-Error-Type header, on both error paths.
//
// The HTTP client must not time out the `next` GET while the process is frozen between events
// (the caller builds it with a very long total timeout); see docs/lambda.md.
//
// Ownership: borrows the HttpClient. Thread-safety: one loop, one thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "http/http_client.h"

namespace tw::sources {

struct Invocation {
  std::string request_id;
  std::optional<Clock::WallTime> deadline;  // from Lambda-Runtime-Deadline-Ms
  std::string function_arn;
  std::string trace_id;  // copy into _X_AMZN_TRACE_ID
  std::string body;      // the event JSON
  // Set: a header was missing or malformed; answer the invocation with this error.
  std::optional<Error> problem;
};

// The error body of /error and /init/error.
struct RuntimeError {
  std::string type;     // errorType, e.g. "Runtime.UnknownEventShape"
  std::string message;  // errorMessage (escaped into JSON here)
};

// The JSON of an error body: {"errorMessage":"...","errorType":"..."}.
std::string RuntimeErrorJson(const RuntimeError& error);

class RuntimeApi {
 public:
  // `endpoint` is AWS_LAMBDA_RUNTIME_API ("host:port"). kInvalidArgument when it is empty or
  // contains a '/' or whitespace.
  [[nodiscard]] static Result<RuntimeApi> Create(std::string_view endpoint,
                                                 http::HttpClient& client);

  // GET /runtime/invocation/next. Errors: the client's (kUnavailable ...), kUnavailable for a
  // status other than 200, kParse without a request id, kResourceExhausted for a truncated body.
  [[nodiscard]] Result<Invocation> Next();
  // POST /runtime/invocation/{id}/response with `body`.
  [[nodiscard]] Result<void> Respond(const std::string& request_id, const std::string& body);
  // POST /runtime/invocation/{id}/error.
  [[nodiscard]] Result<void> ReportError(const std::string& request_id, const RuntimeError& error);
  // POST /runtime/init/error; the caller then exits.
  [[nodiscard]] Result<void> ReportInitError(const RuntimeError& error);

  const std::string& base_url() const { return base_; }

 private:
  RuntimeApi(std::string base, http::HttpClient& client)
      : base_(std::move(base)), client_(&client) {}
  Result<void> Post(const std::string& path, const std::string& body,
                    const std::string* error_type);

  std::string base_;  // http://host:port/2018-06-01
  http::HttpClient* client_;
};

}  // namespace tw::sources
