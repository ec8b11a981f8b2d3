// HttplibHttpClient: HttpClient over cpp-httplib's client (Debian libcpp-httplib, OpenSSL).
//
// The Lambda package's transport (http_client.h, MakeHttpClient): cpp-httplib is already loaded
// by every build for the `http` source, and with its OpenSSL it is all the Lambda runtime needs
// (plain HTTP to the Runtime API; HTTPS to Slack, webhooks and AWS), without libcurl and the ~27
// shared libraries libcurl brings (GnuTLS, Kerberos, LDAP, RTMP, SSH ...), which dominate the
// dynamic loader's share of a cold start. Same contract as CurlHttpClient, with these
// differences, all documented in docs/deploy.md:
//   * timeouts: connect_timeout bounds the connection; total_timeout (or a shorter
//     Request::timeout) bounds each read and each write of the exchange, not their sum (the
//     library has no whole-request timer), so a server that trickles bytes can take longer;
//   * proxies: the proxy environment variables are not read (a Lambda function reaches Slack and
//     AWS directly, through a NAT gateway or VPC endpoints);
//   * response headers come in the library's order (sorted by name), not arrival order;
//   * Request::cancel is watched by a thread of its own (started only for such a request),
//     which stops the connection within about 100 ms of the flag.
// Kept from CurlHttpClient: TLS always verified (peer and host name; `ca_file`, else
// SSL_CERT_FILE, else OpenSSL's default paths), redirects not followed, no decompression and no
// Accept-Encoding (an S3 object stored with Content-Encoding: gzip arrives as stored), the
// request path sent as given (no re-encoding: SigV4 signs it), bodies beyond max_body_bytes read
// and dropped (body_truncated), one kept-alive connection reused while requests go to the same
// scheme, host and port.
//
// Thread-safety: Send is serialised by an internal mutex; use one client per sink.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "http/http_client.h"

namespace httplib {
class ClientImpl;
}

namespace tw::http {

class HttplibHttpClient final : public HttpClient {
 public:
  // kInvalidArgument for a non-positive timeout.
  [[nodiscard]] static Result<std::unique_ptr<HttplibHttpClient>> Create(ClientOptions options);
  ~HttplibHttpClient() override;
  HttplibHttpClient(const HttplibHttpClient&) = delete;
  HttplibHttpClient& operator=(const HttplibHttpClient&) = delete;

  // Errors: kUnavailable for refused connections, timeouts, name resolution, TLS handshake or
  // certificate failures and dropped connections; kInvalidArgument for a malformed URL (user
  // info included), a scheme other than http/https or a method other than GET, POST and PUT;
  // kInternal otherwise. Messages never carry headers.
  [[nodiscard]] Result<Response> Send(const Request& request) override;

 private:
  explicit HttplibHttpClient(ClientOptions options);

  ClientOptions options_;
  std::mutex mu_;
  std::string origin_;                           // scheme|host|port of client_
  std::unique_ptr<httplib::ClientImpl> client_;  // the kept-alive connection to origin_
};

}  // namespace tw::http
