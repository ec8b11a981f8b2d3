#include "http/curl_http_client.h"

#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdlib>
#include <string_view>

namespace tw::http {
namespace {

struct Capture {
  Response* response;
  size_t max_body;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* cap = static_cast<Capture*>(user);
  const size_t n = size * count;
  std::string& body = cap->response->body;
  const size_t room = cap->max_body - std::min(cap->max_body, body.size());
  body.append(data, std::min(n, room));
  // Bytes beyond the cap are read (so the connection stays reusable) and dropped.
  if (n > room) cap->response->body_truncated = true;
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* cap = static_cast<Capture*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue or a proxy's CONNECT answer): start over.
    cap->response->headers.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  cap->response->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return n;
}

// CURLOPT_XFERINFOFUNCTION: a non-zero answer aborts the transfer (CURLE_ABORTED_BY_CALLBACK).
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(user)->load() ? 1 : 0;
}

ErrorCode CodeFor(CURLcode rc) {
  switch (rc) {
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return ErrorCode::kInvalidArgument;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PROXY:
      return ErrorCode::kUnavailable;
    case CURLE_ABORTED_BY_CALLBACK:  // only OnProgress aborts: Request::cancel
      return ErrorCode::kUnavailable;
    default:
      return ErrorCode::kInternal;
  }
}

// libcurl, loaded when the first client is created rather than linked: libcurl and the ~30
// libraries it needs (GnuTLS/OpenSSL, nghttp2, libssh2, Kerberos, LDAP, ...) cost about 12 M
// instructions of dynamic linking at every start of trailwatch (bench/README.md, "Start-up,
// third pass"), and most commands (`scan` of files, `rules`, `match`) never send a request.
// The functions keep the signatures of <curl/curl.h>, which still supplies the types and
// constants; only the symbols are resolved at run time.
struct CurlApi {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
};

// The soname of Debian's libcurl4 (and of every libcurl since 7.16); CURLOPT_PROTOCOLS_STR needs
// 7.85 or later (the .deb's Depends says so: deploy/deb/build_deb.sh).
constexpr const char* kLibcurl = "libcurl.so.4";

template <typename F>
bool Resolve(void* lib, const char* name, F& out) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  return out != nullptr;
}

// Loads libcurl and runs curl_global_init once per process (thread-safe: a function-local
// static). Null with `error` set when it cannot be loaded; the library is never unloaded.
const CurlApi* LoadCurl(std::string* error) {
  static const std::pair<CurlApi, std::string> loaded = []() -> std::pair<CurlApi, std::string> {
    CurlApi api;
    void* lib = dlopen(kLibcurl, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      return {api, std::string("cannot load ") + kLibcurl + ": " + (why ? why : "?")};
    }
    if (!Resolve(lib, "curl_global_init", api.global_init) ||
        !Resolve(lib, "curl_easy_init", api.easy_init) ||
        !Resolve(lib, "curl_easy_cleanup", api.easy_cleanup) ||
        !Resolve(lib, "curl_easy_reset", api.easy_reset) ||
        !Resolve(lib, "curl_easy_setopt", api.easy_setopt) ||
        !Resolve(lib, "curl_easy_perform", api.easy_perform) ||
        !Resolve(lib, "curl_easy_getinfo", api.easy_getinfo) ||
        !Resolve(lib, "curl_easy_strerror", api.easy_strerror) ||
        !Resolve(lib, "curl_slist_append", api.slist_append) ||
        !Resolve(lib, "curl_slist_free_all", api.slist_free_all)) {
      return {CurlApi{}, std::string(kLibcurl) + " lacks a libcurl function"};
    }
    const CURLcode rc = api.global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
      return {CurlApi{}, std::string("curl_global_init: ") + api.easy_strerror(rc)};
    }
    return {api, ""};
  }();
  if (loaded.first.easy_init == nullptr) {
    *error = loaded.second;
    return nullptr;
  }
  return &loaded.first;
}

// The loaded library, for a client that exists (Create succeeded, so LoadCurl did).
const CurlApi& Curl() {
  std::string unused;
  return *LoadCurl(&unused);
}

}  // namespace

Result<std::unique_ptr<CurlHttpClient>> CurlHttpClient::Create(CurlOptions options) {
  if (options.connect_timeout.count() <= 0 || options.total_timeout.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "http client: timeouts must be positive");
  }
  std::string error;
  const CurlApi* curl = LoadCurl(&error);
  if (curl == nullptr) return Fail(ErrorCode::kInternal, "http client: " + error);
  CURL* handle = curl->easy_init();
  if (handle == nullptr) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  if (options.ca_file.empty()) options.ca_file = DefaultCaFile();
  return std::unique_ptr<CurlHttpClient>(new CurlHttpClient(std::move(options), handle));
}

CurlHttpClient::CurlHttpClient(CurlOptions options, void* handle)
    : options_(std::move(options)), handle_(handle) {}

CurlHttpClient::~CurlHttpClient() { Curl().easy_cleanup(static_cast<CURL*>(handle_)); }

Result<Response> CurlHttpClient::Send(const Request& request) {
  std::lock_guard lock(mu_);
  CURL* h = static_cast<CURL*>(handle_);
  const CurlApi& curl = Curl();
  // Reset options but keep the connection cache, the DNS cache and TLS sessions.
  curl.easy_reset(h);

  Response response;
  Capture cap{&response, options_.max_body_bytes};
  char errbuf[CURL_ERROR_SIZE] = {0};

  curl_slist* headers = nullptr;
  for (const Header& hd : request.headers) {
    std::string line = hd.name + ": " + hd.value;
    curl_slist* next = curl.slist_append(headers, line.c_str());
    if (next == nullptr) {
      curl.slist_free_all(headers);
      return Fail(ErrorCode::kInternal, "curl_slist_append failed");
    }
    headers = next;
  }
  // No "Expect: 100-continue" round trip for larger bodies.
  headers = curl.slist_append(headers, "Expect:");

  curl.easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  auto total = options_.total_timeout;
  if (request.timeout.count() > 0 && request.timeout < total) total = request.timeout;
  curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(total.count()));
  curl.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl.easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl.easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl.easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl.easy_setopt(h, CURLOPT_WRITEDATA, &cap);
  curl.easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl.easy_setopt(h, CURLOPT_HEADERDATA, &cap);
  curl.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  if (request.cancel != nullptr) {
    // libcurl calls this at least once a second, also while waiting for a long poll's answer.
    curl.easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl.easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl.easy_setopt(h, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(request.cancel));
  }
  curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);  // the handle is reused: reset a PUT
  if (request.method == "POST" || request.method == "PUT") {
    // A PUT sends its body like a POST, under its own method (IMDSv2's token request is one).
    curl.easy_setopt(h, CURLOPT_POST, 1L);
    curl.easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl.easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    if (request.method == "PUT") curl.easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
  } else if (request.method == "GET") {
    curl.easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    curl.slist_free_all(headers);
    return Fail(ErrorCode::kInvalidArgument, "http client: unsupported method " + request.method);
  }

  const CURLcode rc = curl.easy_perform(h);
  curl.slist_free_all(headers);
  if (rc != CURLE_OK) {
    std::string message = errbuf[0] != '\0' ? errbuf : curl.easy_strerror(rc);
    return Fail(CodeFor(rc), "http " + request.method + ": " + message);
  }
  curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace tw::http
