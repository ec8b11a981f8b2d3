#include "aws/curl_fetch.h"

#include <memory>
#include <mutex>
#include <vector>

#include "http/http_client.h"

namespace tw::aws {
namespace {

// Idle handles; a call borrows one and returns it.
class HandlePool {
 public:
  HandlePool(http::ClientOptions options, size_t max_idle)
      : options_(std::move(options)), max_idle_(max_idle) {}

  Result<std::unique_ptr<http::HttpClient>> Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto client = std::move(idle_.back());
        idle_.pop_back();
        return client;
      }
    }
    return http::MakeHttpClient(options_);
  }

  void Give(std::unique_ptr<http::HttpClient> client) {
    std::lock_guard lock(mu_);
    if (idle_.size() < max_idle_) idle_.push_back(std::move(client));
  }

  size_t max_body() const { return options_.max_body_bytes; }

 private:
  const http::ClientOptions options_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<http::HttpClient>> idle_;
};

}  // namespace

Result<HttpFetch> MakeCurlFetch(CurlFetchOptions options) {
  if (options.max_body_bytes == 0) {
    return Fail(ErrorCode::kInvalidArgument, "http fetch: max_body_bytes must be positive");
  }
  http::ClientOptions curl;
  curl.connect_timeout = options.connect_timeout;
  curl.total_timeout = options.total_timeout;
  curl.max_body_bytes = options.max_body_bytes;
  curl.user_agent = options.user_agent;
  curl.ca_file = options.ca_file;
  // Fail early on bad options or a libcurl that cannot start, rather than on the first call.
  auto probe = http::MakeHttpClient(curl);
  if (!probe) return tl::unexpected(probe.error());
  auto pool = std::make_shared<HandlePool>(curl, std::max<size_t>(1, options.max_idle_handles));
  pool->Give(std::move(*probe));

  return HttpFetch([pool](const HttpRequest& request) -> Result<HttpResponse> {
    if (request.method != "GET" && request.method != "POST" && request.method != "PUT") {
      return Fail(ErrorCode::kInvalidArgument, "http fetch: unsupported method " + request.method);
    }
    auto client = pool->Take();
    if (!client) return tl::unexpected(client.error());
    http::Request out;
    out.method = request.method;
    out.url = request.url;
    out.body = request.body;
    out.timeout = request.timeout;
    out.cancel = request.cancel;
    out.headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) out.headers.push_back({name, value});
    auto sent = (*client)->Send(out);
    pool->Give(std::move(*client));
    if (!sent) return tl::unexpected(sent.error());
    if (sent->body_truncated) {
      return Fail(ErrorCode::kUnsupported, "http " + request.method +
                                               ": response body exceeds the limit of " +
                                               std::to_string(pool->max_body()) + " bytes");
    }
    HttpResponse response;
    response.status = static_cast<int>(sent->status);
    response.body = std::move(sent->body);
    response.headers.reserve(sent->headers.size());
    for (auto& h : sent->headers)
      response.headers.emplace_back(std::move(h.name), std::move(h.value));
    return response;
  });
}

}  // namespace tw::aws
