// MakeHttpClient for `trailwatch`: libcurl (http_client.h says how a binary picks its transport).
#include "http/curl_http_client.h"
#include "http/http_client.h"

namespace tw::http {

Result<std::unique_ptr<HttpClient>> MakeHttpClient(ClientOptions options) {
  auto client = CurlHttpClient::Create(std::move(options));
  if (!client) return tl::unexpected(client.error());
  return std::unique_ptr<HttpClient>(std::move(*client));
}

}  // namespace tw::http
