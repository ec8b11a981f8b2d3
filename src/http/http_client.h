// HttpClient: one HTTP request at a time, answered with its status, headers and (bounded) body.
//
// Sinks talk to Slack and webhook receivers through this interface, so their tests use a fake
// that scripts responses, and only the transports (curl_http_client.h, socket_http_client.h)
// touch the network. A transport failure (refused connection, timeout, DNS, TLS handshake) is an
// Error, never a Response: kUnavailable when retrying may help, kInvalidArgument for a request that
// can never work (a malformed URL, an unsupported scheme). Any HTTP status, 4xx and 5xx included,
// is a Response: deciding what a status means is the caller's business (sinks/http_outcome.h).
//
// Thread-safety: an HttpClient is used by one thread at a time (each delivery loop owns its
// sink, each sink owns its client); implementations may serialise internally but need not be
// reentrant.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace tw::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "POST";  // "GET", "POST" or "PUT"
  std::string url;
  std::vector<Header> headers;  // sent as given (Content-Type included)
  std::string body;             // sent for POST
  // Total time allowed for this request when positive and shorter than the client's own total
  // timeout (the AWS metadata endpoints use 1 s); zero: the client's.
  std::chrono::milliseconds timeout{0};
  // When set: the transfer stops, with a kUnavailable error, within about a second of *cancel
  // turning true (a long poll ended at shutdown). Must outlive the call.
  const std::atomic<bool>* cancel = nullptr;
};

struct Response {
  long status = 0;
  std::vector<Header> headers;  // in arrival order, names as the server spelled them
  std::string body;             // at most the client's max_body_bytes
  bool body_truncated = false;  // the server sent more than max_body_bytes

  // The value of the first header named `name` (ASCII case-insensitive), or nullptr.
  const std::string* FindHeader(std::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends `request` and waits for the whole response (within the client's timeouts).
  [[nodiscard]] virtual Result<Response> Send(const Request& request) = 0;
};

// ASCII case-insensitive equality, for header names.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// What every HttpClient implementation takes.
struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{15'000};  // whole request, connect included
  size_t max_body_bytes = 64 * 1024;
  std::string user_agent = "trailwatch/0.1";
  std::string ca_file;  // empty: DefaultCaFile(), then the TLS library's built-in bundle
};

// The CA bundle named by the environment variable SSL_CERT_FILE, or "" when it is unset.
[[nodiscard]] std::string DefaultCaFile();

// The binary's HTTP transport: every production HttpClient (sinks, the AWS fetch pool) is made
// here; the Lambda Runtime API client, plain HTTP to the execution environment, is a
// SocketHttpClient in every binary (cli/lambda_command.cc). The function is defined twice, and
// each binary links exactly one definition (a link-time choice, not a runtime one):
//   * transport_curl.cc (in tw_http): CurlHttpClient, for `trailwatch`;
//   * transport_socket.cc (object library tw_http_transport_socket): SocketHttpClient, for the
//     Lambda package's `bootstrap` (deploy/), which then loads neither libcurl (and its ~27
//     dependent shared libraries) nor shared OpenSSL at a cold start (docs/deploy.md).
// Errors: kInvalidArgument for non-positive timeouts; kInternal when the library cannot start.
[[nodiscard]] Result<std::unique_ptr<HttpClient>> MakeHttpClient(ClientOptions options);

}  // namespace tw::http
