// HttpRequest, HttpResponse and HttpFetch: the one seam between the AWS layer and the network.
//
// Everything in src/aws/ that talks to AWS (STS, the container and instance metadata endpoints,
// later S3/SQS/DynamoDB) is handed an `HttpFetch` instead of owning an HTTP client. The pipeline
// and the CLI bind it to the project's libcurl client (src/http/); tests bind it to an in-process
// fake that records the requests and answers from a script. So this module never opens a socket
// on its own, and its tests need no network at all.
//
// A fetch returns the response whatever its status (a 403 or a 503 is a response, not an error);
// it fails only when no response arrived (connection refused, timeout, TLS failure), and then
// with ErrorCode::kUnavailable.
//
// Thread-safety: plain value types. An HttpFetch must be safe to call from the threads that share
// it (the credential chain calls it under its own lock, one call at a time).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace tw::aws {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Returns the value of the first header named `name` (ASCII case-insensitive), or nullptr.
const std::string* FindHeader(const HttpHeaders& headers, std::string_view name);

// Removes every header named `name` (case-insensitive).
void RemoveHeader(HttpHeaders& headers, std::string_view name);

// Removes every header named `name` (case-insensitive), then appends `name: value`.
void SetHeader(HttpHeaders& headers, std::string name, std::string value);

struct HttpRequest {
  std::string method = "GET";
  // Absolute URL, "scheme://host[:port]/path[?query]", exactly as it goes on the wire: the path
  // and the query are already percent-encoded (see UriEncode in url.h).
  std::string url;
  // In order; names keep their case. A "Host" header, when present, is what gets signed.
  HttpHeaders headers;
  std::string body;
  // Total time allowed for this request; zero means the client's default. The metadata
  // endpoints use a short one, as the SDKs do (1 s), so that a chain off EC2 fails fast.
  std::chrono::milliseconds timeout{0};
  // Passed to the transport: see http::Request::cancel.
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;
  std::string body;
};

using HttpFetch = std::function<Result<HttpResponse>(const HttpRequest&)>;

}  // namespace tw::aws
