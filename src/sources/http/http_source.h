// HttpSource: an HTTP(S) receiver; each accepted request body is one Batch (`watch`).
//
// What it takes (POST, any path):
//   - plain deliveries: one CloudTrail record, a CloudTrail file ({"Records":[...]}), NDJSON,
//     an EventBridge event (an EventBridge API-destination target), or a CloudWatch Logs
//     subscription payload (JSON or gzip). The body is one document; the record reader
//     classifies it as `scan` would. A body sent with Content-Encoding: gzip is inflated first.
//   - Amazon Data Firehose HTTP-endpoint deliveries, recognised by the X-Amz-Firehose-Request-Id
//     header: {"requestId":..., "timestamp":..., "records":[{"data":"<base64>"}, ...]}. Each
//     record's data, base64-decoded, is one document of the batch (a CloudWatch Logs payload,
//     gzip or not; an EventBridge event; a CloudTrail record or NDJSON). The answer is Firehose's
//     form: Content-Type application/json, body {"requestId":"<the request's>","timestamp":<ms>}
//     and, on failure, "errorMessage" (AWS: firehose/latest/dev/httpdeliveryrequestresponse.html).
//     A retried request carries the same request id; its alerts are not enqueued twice because
//     alert ids are stable and the outbox ignores a repeated (alert, sink) pair.
//   - GET /healthz answers 200 "ok" without authentication (load-balancer checks).
// Batch::input is "http" for a plain body and "firehose" for a Firehose delivery (never text
// the sender chose); batches carry no checkpoint: a sender without a 200 retries.
//
// Authentication, compared in constant time (SHA-256 of both sides, CRYPTO_memcmp):
//   `Authorization: Bearer <token>` or `X-Amz-Firehose-Access-Key: <access_key>` (access_key
//   defaults to the token). Missing or wrong: 401 (WWW-Authenticate: Bearer). At least one of
//   token and access_key must be configured.
//
// Answers:
//   200   the batch's alerts and nothing else are durable in the outbox (Source::Ack);
//   400   a Firehose body that is not the documented JSON, or bad base64 (nothing enqueued);
//   401   authentication failed;
//   413   the body is larger than `max_body_bytes`, on the wire or once inflated (Firehose
//         treats 413 as permanent);
//   500   the batch could not be committed (Source::Nack; the sender retries);
//   503   more than `max_concurrent_requests` bodies in flight, the pipeline did not answer
//         within `ack_timeout`, or the source is shutting down (Retry-After: 1).
//
// Memory: at most max_concurrent_requests bodies (64 MiB each by default, Firehose's own
// maximum) are held at once; further requests get 503 before their body is read.
//
// Binding: `listen` is "host:port" ("[::1]:8088" for IPv6), 127.0.0.1:8088 by default; port 0
// picks a free port (port() tells which). With tls_cert_file and tls_key_file (PEM) it serves
// HTTPS only.
//
// Ownership and thread-safety: the source owns the server and its listening thread; requests
// are served on cpp-httplib's worker threads, each waiting for its batch's Ack or Nack. Next,
// Ack and Nack may be called from any thread. Destruction answers every waiting request 503 and
// stops the server. The clock (borrowed) stamps Firehose answers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/clock.h"
#include "common/error.h"
#include "sources/source.h"

namespace httplib {
class ContentReader;
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace tw::sources {

struct HttpOptions {
  std::string name = "http";              // the source's configured name
  std::string listen = "127.0.0.1:8088";  // host:port; port 0 picks a free one
  std::string token;                      // the bearer token (config: token or token_file)
  std::string access_key;                 // the Firehose access key (empty: the token)
  std::string tls_cert_file;              // PEM; with tls_key_file: HTTPS
  std::string tls_key_file;
  std::size_t max_body_bytes = std::size_t{64} << 20;  // 64 MiB, on the wire and inflated
  int max_concurrent_requests = 4;
  std::chrono::seconds ack_timeout{120};  // Firehose waits 3 minutes for an answer
};

class HttpSource final : public Source {
 public:
  // Binds and starts serving. Errors: kInvalidArgument (no token nor access key, a malformed
  // listen address, only one of the TLS files, a certificate or key that does not load, limits
  // not positive), kUnavailable (the address cannot be bound).
  [[nodiscard]] static Result<std::unique_ptr<HttpSource>> Create(HttpOptions options,
                                                                  const Clock& clock);
  ~HttpSource() override;

  const std::string& name() const override { return options_.name; }
  // The next accepted body; waits (checking `stop` every 100 ms) until one arrives.
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  // Answers the batch's request 200.
  void Ack(const Batch& batch) override;
  // Answers the batch's request 500 with `error`'s message.
  void Nack(const Batch& batch, const Error& error) override;

  // The bound port.
  int port() const { return port_; }
  bool tls() const { return !options_.tls_cert_file.empty(); }

 private:
  // One request waiting for its batch's fate.
  struct Waiting {
    bool answered = false;
    bool ok = false;
    std::string error;
  };

  HttpSource(HttpOptions options, const Clock& clock);
  void Handle(const httplib::Request& request, httplib::Response& response,
              const httplib::ContentReader& read);
  bool Authorized(const httplib::Request& request) const;
  // Queues `batch` and waits for Ack/Nack; returns nullopt on success, else (status, message).
  std::optional<std::pair<int, std::string>> Submit(Batch batch);

  HttpOptions options_;
  const Clock& clock_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string token_digest_;       // SHA-256 of the token (empty: no token)
  std::string access_key_digest_;  // SHA-256 of the access key (empty: none)

  std::mutex mu_;
  std::condition_variable batch_ready_;
  std::condition_variable answered_;
  std::deque<Batch> queue_;
  std::unordered_map<uint64_t, Waiting> waiting_;  // by Batch::handle
  uint64_t next_handle_ = 1;
  int active_ = 0;  // requests between admission and answer
  bool shutting_down_ = false;
};

}  // namespace tw::sources
