// CurlFetch: the production HttpFetch, binding the AWS layer to src/http/'s libcurl client.
//
// MakeCurlFetch returns an HttpFetch backed by a pool of http::CurlHttpClient handles. A call
// takes an idle handle (or creates one), sends the request and puts the handle back, so:
//   * connections (and TLS sessions) are reused: each handle keeps its connection cache, and
//     sequential calls from one thread land on the same handle;
//   * several threads may fetch at once (`scan s3://` downloads objects in parallel); each call
//     has a handle of its own, and at most `max_idle_handles` are kept between calls;
//   * every request has a connect timeout and a total timeout (HttpRequest::timeout, when
//     positive and shorter, replaces the total one: the metadata endpoints use 1 s);
//   * TLS is always verified (peer and host name; `ca_file` may name another bundle);
//   * libcurl's proxy environment is honoured as is: HTTPS_PROXY/https_proxy for https,
//     http_proxy (lower case only) for http, ALL_PROXY, and NO_PROXY/no_proxy exemptions
//     (http/curl_http_client.h);
//   * a response body is read whole, up to `max_body_bytes`; a longer one is not returned but
//     fails with kUnsupported ("response body exceeds ..."), never retried, so memory per call
//     stays bounded.
// Methods: GET and POST (every AWS call trailwatch makes); others fail with kInvalidArgument.
// Transport failures are kUnavailable (retryable, see retry.h); messages carry curl's text,
// never a header (Authorization and X-Amz-Security-Token are secrets).
//
// Thread-safety: the returned HttpFetch may be copied and called from any number of threads.
// The pool lives as long as the last copy.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "aws/http_fetch.h"
#include "common/error.h"

namespace tw::aws {

struct CurlFetchOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{120'000};
  size_t max_body_bytes = 512u * 1024 * 1024;
  size_t max_idle_handles = 32;
  std::string user_agent = "trailwatch/0.1";
  std::string ca_file;  // empty: the system CA bundle
};

// kInvalidArgument for non-positive timeouts or a zero body limit; kInternal when libcurl cannot
// be initialised.
[[nodiscard]] Result<HttpFetch> MakeCurlFetch(CurlFetchOptions options = {});

}  // namespace tw::aws
