// SocketHttpClient: HttpClient over POSIX sockets, HTTP/1.1 written and parsed here, TLS by
// OpenSSL's libssl.
//
// The Lambda package's transport (http_client.h, MakeHttpClient). Every shared library the
// `bootstrap` loads costs dynamic-loader work at every cold start, and OpenSSL's libcrypto alone
// (BIND_NOW, ~4,200 symbol relocations) was the largest part of it; cpp-httplib's library also
// initialised OpenSSL's TLS layer in its constructor, before main. This client needs neither
// cpp-httplib nor libssl/libcrypto as shared objects: the bootstrap links OpenSSL's archives,
// and TLS is set up at the first https request (a Runtime API exchange is plain HTTP on
// loopback and never touches it). docs/deploy.md, "The Lambda package", has the numbers.
//
// Same contract as CurlHttpClient, with the differences marked:
//   * TLS always verified (peer certificate chain, and the host name or IP address against it;
//     `ca_file`, else SSL_CERT_FILE, else OpenSSL's default paths), TLS 1.2 at least, SNI sent
//     for a host name;
//   * connect_timeout bounds name resolution's aftermath (the TCP connect, each address tried in
//     turn); total_timeout (or a shorter Request::timeout) bounds the whole exchange, TLS
//     handshake included. Name resolution itself (getaddrinfo) is not interruptible;
//   * Request::cancel is polled every 100 ms while the client waits on the socket;
//   * redirects not followed, no decompression and no Accept-Encoding, the request target sent
//     as given, bodies beyond max_body_bytes read and dropped (body_truncated), response headers
//     in arrival order;
//   * one kept-alive connection, reused while requests go to the same scheme, host and port; a
//     reused connection the server had closed in the meantime (nothing at all came back) is
//     replaced and the request sent once more on a fresh one, as browsers and libcurl do;
//   * proxies: the proxy environment variables are not read (a Lambda function reaches Slack
//     and AWS directly, through a NAT gateway or VPC endpoints).
// Responses: Content-Length, chunked (trailers skipped) or close-delimited bodies; 1xx interim
// responses skipped; at most 64 KiB of status line and headers.
//
// Thread-safety: Send is serialised by an internal mutex; use one client per sink.
#pragma once

#include <memory>
#include <mutex>

#include "http/http_client.h"

typedef struct ssl_ctx_st SSL_CTX;

namespace tw::http {

class SocketHttpClient final : public HttpClient {
 public:
  // kInvalidArgument for a non-positive timeout. Makes no connection and sets up no TLS.
  [[nodiscard]] static Result<std::unique_ptr<SocketHttpClient>> Create(ClientOptions options);
  ~SocketHttpClient() override;
  SocketHttpClient(const SocketHttpClient&) = delete;
  SocketHttpClient& operator=(const SocketHttpClient&) = delete;

  // Errors: kUnavailable for name resolution, refused or dropped connections, timeouts,
  // cancellation, TLS handshake or certificate failures, an unreadable CA file and malformed
  // responses; kInvalidArgument for a malformed URL (user info included), a scheme other than
  // http/https, a method other than GET, POST and PUT, or a header with CR, LF or NUL in it.
  // Messages never carry headers or bodies.
  [[nodiscard]] Result<Response> Send(const Request& request) override;

  class Connection;  // one socket, and its TLS session for https (socket_http_client.cc)

 private:
  explicit SocketHttpClient(ClientOptions options);
  Result<SSL_CTX*> TlsContext();

  ClientOptions options_;
  std::mutex mu_;
  std::unique_ptr<Connection> connection_;  // the kept-alive connection, or null
  SSL_CTX* tls_ = nullptr;                  // made at the first https request; owned
};

}  // namespace tw::http
