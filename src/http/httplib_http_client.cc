#include "http/httplib_http_client.h"

#include <httplib.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

namespace tw::http {
namespace {

struct SplitUrl {
  std::string origin;  // "https|host|port", the key of the kept connection
  bool tls = false;
  std::string host;  // without the brackets of an IPv6 literal
  int port = 0;
  std::string target;  // path and query, "/" at least
};

// scheme://host[:port][/path][?query]; the fragment is dropped, as a client never sends it.
// (cpp-httplib's own URL constructor runs a std::regex: 1.3 M instructions at every cold start.)
Result<SplitUrl> Split(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "http client: malformed URL (no scheme)");
  }
  const std::string_view scheme = url.substr(0, sep);
  if (scheme != "http" && scheme != "https") {
    return Fail(ErrorCode::kInvalidArgument,
                "http client: unsupported scheme " + std::string(scheme));
  }
  SplitUrl out;
  out.tls = scheme == "https";
  std::string_view rest = url.substr(sep + 3);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  const size_t end = std::min(rest.find('/'), rest.find('?'));
  const std::string_view authority = rest.substr(0, end);
  const auto bad_host = [] {
    return Fail(ErrorCode::kInvalidArgument, "http client: malformed URL (host)");
  };
  if (authority.empty() || authority.find_first_of("@ \t\r\n") != std::string_view::npos) {
    return bad_host();
  }
  std::string_view host = authority, port;
  if (authority.front() == '[') {  // [IPv6]
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return bad_host();
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_host();
      port = after.substr(1);
    }
  } else if (const size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad_host();
  out.host = std::string(host);
  out.port = out.tls ? 443 : 80;
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad_host();
    }
    out.port = std::stoi(std::string(port));
    if (out.port < 1 || out.port > 65535) return bad_host();
  }
  out.origin = std::string(scheme) + "|" + out.host + "|" + std::to_string(out.port);
  out.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
  if (out.target.front() == '?') out.target.insert(0, "/");
  return out;
}

// Request::cancel for cpp-httplib, which has no progress callback while it waits for an answer:
// a watcher thread checks the flag every 100 ms and stops the client (ClientImpl::stop shuts the
// socket down, which wakes the blocked read; the library documents it for this use). The
// destructor ends and joins the watcher, on every path out of Send.
class CancelWatcher {
 public:
  CancelWatcher(const std::atomic<bool>* cancel, httplib::ClientImpl& client) {
    if (cancel == nullptr) return;
    thread_ = std::thread([this, cancel, &client] {
      std::unique_lock lock(mu_);
      while (!done_) {
        if (cancel->load()) {
          client.stop();
          return;
        }
        cv_.wait_for(lock, std::chrono::milliseconds(100));
      }
    });
  }
  ~CancelWatcher() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  CancelWatcher(const CancelWatcher&) = delete;
  CancelWatcher& operator=(const CancelWatcher&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

ErrorCode CodeFor(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::Read:
    case httplib::Error::Write:
    case httplib::Error::Canceled:
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::ConnectionTimeout:
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

}  // namespace

Result<std::unique_ptr<HttplibHttpClient>> HttplibHttpClient::Create(ClientOptions options) {
  if (options.connect_timeout.count() <= 0 || options.total_timeout.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "http client: timeouts must be positive");
  }
  if (options.ca_file.empty()) options.ca_file = DefaultCaFile();
  return std::unique_ptr<HttplibHttpClient>(new HttplibHttpClient(std::move(options)));
}

HttplibHttpClient::HttplibHttpClient(ClientOptions options) : options_(std::move(options)) {}

HttplibHttpClient::~HttplibHttpClient() = default;

Result<Response> HttplibHttpClient::Send(const Request& request) {
  if (request.method != "GET" && request.method != "POST" && request.method != "PUT") {
    return Fail(ErrorCode::kInvalidArgument, "http client: unsupported method " + request.method);
  }
  auto url = Split(request.url);
  if (!url) return tl::unexpected(url.error());
  if (request.cancel != nullptr && request.cancel->load()) {
    return Fail(ErrorCode::kUnavailable, "http " + request.method + ": cancelled");
  }

  std::lock_guard lock(mu_);
  // cpp-httplib throws std::invalid_argument for what it cannot parse (and std::bad_alloc):
  // this is its one adapter, so the exceptions stop here.
  try {
    if (!client_ || origin_ != url->origin) {
      std::unique_ptr<httplib::ClientImpl> client;
      if (url->tls) {
        client = std::make_unique<httplib::SSLClient>(url->host, url->port);
      } else {
        client = std::make_unique<httplib::ClientImpl>(url->host, url->port);
      }
      if (!client->is_valid()) {
        return Fail(ErrorCode::kInternal, "http client: TLS context could not be set up");
      }
      client->set_keep_alive(true);
      client->set_follow_location(false);
      client->set_url_encode(false);  // the path is sent exactly as given (SigV4 signed it)
      client->set_decompress(false);  // no Accept-Encoding; bodies arrive as stored
      client->set_compress(false);
      client->set_tcp_nodelay(true);
      client->enable_server_certificate_verification(true);
      if (!options_.ca_file.empty()) client->set_ca_cert_path(options_.ca_file);
      client->set_connection_timeout(options_.connect_timeout);
      client_ = std::move(client);
      origin_ = url->origin;
    }
    std::chrono::milliseconds total = options_.total_timeout;
    if (request.timeout.count() > 0) total = std::min(total, request.timeout);
    client_->set_read_timeout(total);
    client_->set_write_timeout(total);
    client_->set_connection_timeout(std::min(options_.connect_timeout, total));

    httplib::Request req;
    req.method = request.method;
    req.path = url->target;
    bool user_agent = false;
    for (const Header& h : request.headers) {
      if (EqualsIgnoreCase(h.name, "User-Agent")) user_agent = true;
      req.headers.emplace(h.name, h.value);
    }
    if (!user_agent) req.headers.emplace("User-Agent", options_.user_agent);
    if (request.method != "GET") req.body = request.body;

    Response response;
    const size_t max_body = options_.max_body_bytes;
    req.content_receiver = [&response, max_body](const char* data, size_t n, uint64_t, uint64_t) {
      const size_t room = max_body - std::min(max_body, response.body.size());
      response.body.append(data, std::min(n, room));
      // Bytes beyond the cap are read (so the connection stays reusable) and dropped.
      if (n > room) response.body_truncated = true;
      return true;
    };
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    bool sent = false;
    {
      CancelWatcher watcher(request.cancel, *client_);
      sent = client_->send(req, res, error);
    }
    if (!sent) {
      client_.reset();  // whatever state the connection is in, start the next request afresh
      origin_.clear();
      const bool cancelled = request.cancel != nullptr && request.cancel->load();
      return Fail(cancelled ? ErrorCode::kUnavailable : CodeFor(error),
                  "http " + request.method + ": " +
                      (cancelled ? std::string("cancelled") : httplib::to_string(error)));
    }
    response.status = res.status;
    for (const auto& [name, value] : res.headers) response.headers.push_back({name, value});
    return response;
  } catch (const std::exception& e) {
    client_.reset();
    origin_.clear();
    return Fail(ErrorCode::kInternal, std::string("http client: ") + e.what());
  }
}

}  // namespace tw::http
