// MakeHttpClient for the Lambda package's `bootstrap`: SocketHttpClient (http_client.h says how
// a binary picks its transport; socket_http_client.h why this one there).
#include "http/http_client.h"
#include "http/socket_http_client.h"

namespace tw::http {

Result<std::unique_ptr<HttpClient>> MakeHttpClient(ClientOptions options) {
  auto client = SocketHttpClient::Create(std::move(options));
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<HttpClient>(std::move(*client));
}

}  // namespace tw::http
