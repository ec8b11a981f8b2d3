// CurlHttpClient: HttpClient over one reused libcurl easy handle.
//
// Reusing the handle keeps the connection (and TLS session) to Slack or a webhook receiver alive
// between deliveries, so a burst of alerts costs one handshake. Every request has a connect
// timeout and a total timeout; a response body longer than max_body_bytes is cut there (the
// rest is read and dropped, body_truncated is set), so a hostile server cannot fill memory.
//
// TLS is always verified (peer and host name; CURLOPT_SSL_VERIFYPEER/VERIFYHOST are never
// turned off); `ca_file` may name another CA bundle, and when it is empty the environment
// variable SSL_CERT_FILE does (DefaultCaFile), else libcurl's built-in bundle is used: a binary
// built on Debian runs on Amazon Linux (the Lambda package) with SSL_CERT_FILE set to that
// system's bundle. Redirects are not followed: a webhook that answers 3xx gets a Response with
// that status.
//
// Proxies: libcurl's own environment handling is kept, and nothing overrides it. libcurl reads
// `http_proxy` (lower case only, for plain http, against "httpoxy"), `HTTPS_PROXY`/`https_proxy`
// for https, `ALL_PROXY`/`all_proxy` as the fallback, and `NO_PROXY`/`no_proxy` (comma list of
// host names or domain suffixes, `*` = none) for exemptions (libcurl CURLOPT_PROXY(3), "Environment
// variables"). http_client_test checks http_proxy and no_proxy against a loopback stand-in.
//
// Thread-safety: Send is serialised by an internal mutex (one handle); use one client per sink.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "http/http_client.h"

namespace tw::http {

// ca_file empty: DefaultCaFile(), then libcurl's built-in bundle.
using CurlOptions = ClientOptions;

class CurlHttpClient final : public HttpClient {
 public:
  // Fails (kInternal) when libcurl cannot be initialised; kInvalidArgument for a zero timeout.
  [[nodiscard]] static Result<std::unique_ptr<CurlHttpClient>> Create(CurlOptions options);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  // Errors: kUnavailable for refused connections, timeouts, DNS failures, TLS handshake or
  // certificate failures and dropped connections; kInvalidArgument for a malformed URL or an
  // unsupported scheme; kInternal otherwise. Messages carry curl's error text, never headers
  // (they may hold tokens).
  [[nodiscard]] Result<Response> Send(const Request& request) override;

 private:
  CurlHttpClient(CurlOptions options, void* handle);

  CurlOptions options_;
  std::mutex mu_;
  void* handle_;  // CURL*, owned; cleaned up in the destructor
};

}  // namespace tw::http
