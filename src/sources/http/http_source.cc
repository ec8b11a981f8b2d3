#include "sources/http/http_source.h"

#include <httplib.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <simdjson.h>

#include <charconv>
#include <utility>

#include "common/strings.h"
#include "decode/base64.h"

namespace tw::sources {
namespace {

constexpr std::chrono::milliseconds kStopCheck(100);
constexpr const char* kFirehoseRequestId = "X-Amz-Firehose-Request-Id";
constexpr const char* kFirehoseAccessKey = "X-Amz-Firehose-Access-Key";

std::string Sha256(std::string_view text) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

// Hashing both sides first makes the comparison's time independent of where the texts differ
// and of the secret's length.
bool MatchesDigest(std::string_view given, const std::string& expected_digest) {
  if (expected_digest.empty()) return false;
  const std::string digest = Sha256(given);
  return CRYPTO_memcmp(digest.data(), expected_digest.data(), digest.size()) == 0;
}

// "host:port" or "[v6]:port".
Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "http source: listen \"" + listen + "\" is not host:port");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = -1;
  const char* begin = listen.data() + colon + 1;
  const char* end = listen.data() + listen.size();
  auto [ptr, ec] = std::from_chars(begin, end, port);
  if (ec != std::errc() || ptr != end || port < 0 || port > 65535 || host.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "http source: listen \"" + listen + "\" is not host:port (port 0-65535)");
  }
  return std::pair{host, port};
}

int64_t UnixMillis(Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// A Firehose answer: {"requestId":"...","timestamp":<ms>[,"errorMessage":"..."]}.
std::string FirehoseBody(std::string_view request_id, int64_t timestamp_ms,
                         std::string_view error) {
  std::string body = "{\"requestId\":\"";
  AppendJsonEscaped(body, request_id);
  body += "\",\"timestamp\":";
  body += std::to_string(timestamp_ms);
  if (!error.empty()) {
    body += ",\"errorMessage\":\"";
    AppendJsonEscaped(body, error.substr(0, 8192));
    body += '"';
  }
  body += '}';
  return body;
}

// Reserves the spare capacity the record reader wants after a document.
void Pad(std::string& doc) {
  if (doc.capacity() - doc.size() < simdjson::SIMDJSON_PADDING) {
    doc.reserve(doc.size() + simdjson::SIMDJSON_PADDING);
  }
}

// The documents of a Firehose body: each record's data, base64-decoded.
Result<std::vector<std::string>> FirehoseDocuments(std::string& body, std::string& request_id) {
  Pad(body);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size(), false).get(root) != simdjson::SUCCESS ||
      !root.is_object()) {
    return Fail(ErrorCode::kParse, "the body is not a JSON object");
  }
  std::string_view id;
  if (root["requestId"].get_string().get(id) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "requestId is missing or not a string");
  }
  request_id = std::string(id);
  simdjson::dom::array records;
  if (root["records"].get_array().get(records) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "records is missing or not an array");
  }
  std::vector<std::string> documents;
  size_t index = 0;
  for (simdjson::dom::element record : records) {
    std::string_view data;
    if (record["data"].get_string().get(data) != simdjson::SUCCESS) {
      return Fail(ErrorCode::kParse,
                  "records[" + std::to_string(index) + "].data is missing or not a string");
    }
    std::string doc;
    doc.reserve(data.size() / 4 * 3 + simdjson::SIMDJSON_PADDING);
    if (auto decoded = decode::Base64DecodeAppend(data, doc); !decoded) {
      return Fail(ErrorCode::kParse, "records[" + std::to_string(index) +
                                         "].data is not base64: " + decoded.error().message);
    }
    Pad(doc);
    documents.push_back(std::move(doc));
    ++index;
  }
  return documents;
}

}  // namespace

Result<std::unique_ptr<HttpSource>> HttpSource::Create(HttpOptions options, const Clock& clock) {
  if (options.access_key.empty()) options.access_key = options.token;
  if (options.token.empty() && options.access_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "http source: a token (token/token_file) or a Firehose access_key is required");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "http source: tls_cert_file and tls_key_file go together");
  }
  if (options.max_body_bytes == 0 || options.max_concurrent_requests <= 0 ||
      options.ack_timeout.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "http source: max_body_bytes, max_concurrent_requests and ack_timeout must be "
                "positive");
  }
  auto address = ParseListen(options.listen);
  if (!address) return tl::unexpected(address.error());

  std::unique_ptr<HttpSource> source(new HttpSource(std::move(options), clock));
  const HttpOptions& o = source->options_;
  if (!o.token.empty()) source->token_digest_ = Sha256(o.token);
  if (!o.access_key.empty()) source->access_key_digest_ = Sha256(o.access_key);

  if (o.tls_cert_file.empty()) {
    source->server_ = std::make_unique<httplib::Server>();
  } else {
    source->server_ =
        std::make_unique<httplib::SSLServer>(o.tls_cert_file.c_str(), o.tls_key_file.c_str());
  }
  httplib::Server& server = *source->server_;
  if (!server.is_valid()) {
    return Fail(ErrorCode::kInvalidArgument, "http source: cannot load the TLS certificate " +
                                                 o.tls_cert_file + " or key " + o.tls_key_file);
  }
  // Workers: the admitted requests, plus a few to turn away the rest (401, 503) promptly.
  const auto workers = static_cast<size_t>(o.max_concurrent_requests) + 4;
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  // The body limit is enforced in Handle: on Content-Length before reading, and on the bytes
  // delivered (inflated when gzip) while reading. httplib's own limit would fail the read
  // without saying why.
  server.set_read_timeout(std::chrono::seconds(30));
  server.set_write_timeout(std::chrono::seconds(30));
  HttpSource* self = source.get();
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok", "text/plain");
  });
  server.Post(
      ".*", [self](const httplib::Request& request, httplib::Response& response,
                   const httplib::ContentReader& read) { self->Handle(request, response, read); });
  // Errors httplib answers itself (404 for a GET elsewhere, 400 for a malformed request): in
  // Firehose's form for a Firehose request, so that Firehose reads them as intended.
  server.set_error_handler([self](const httplib::Request& request, httplib::Response& response) {
    if (request.has_header(kFirehoseRequestId) && response.body.empty()) {
      response.set_content(FirehoseBody(request.get_header_value(kFirehoseRequestId),
                                        UnixMillis(self->clock_.Now()), "request refused"),
                           "application/json");
    }
  });

  const auto& [host, port] = *address;
  if (port == 0) {
    source->port_ = server.bind_to_any_port(host);
  } else {
    source->port_ = server.bind_to_port(host, port) ? port : -1;
  }
  if (source->port_ < 0) {
    return Fail(ErrorCode::kUnavailable, "http source: cannot listen on " + o.listen);
  }
  source->thread_ = std::thread([self] { self->server_->listen_after_bind(); });
  return source;
}

HttpSource::HttpSource(HttpOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

HttpSource::~HttpSource() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  answered_.notify_all();
  batch_ready_.notify_all();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();  // joins the worker threads
}

bool HttpSource::Authorized(const httplib::Request& request) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (request.has_header("Authorization")) {
    const std::string value = request.get_header_value("Authorization");
    if (value.size() > kBearer.size() && value.compare(0, kBearer.size(), kBearer) == 0 &&
        MatchesDigest(std::string_view(value).substr(kBearer.size()), token_digest_)) {
      return true;
    }
  }
  if (request.has_header(kFirehoseAccessKey)) {
    return MatchesDigest(request.get_header_value(kFirehoseAccessKey), access_key_digest_);
  }
  return false;
}

void HttpSource::Handle(const httplib::Request& request, httplib::Response& response,
                        const httplib::ContentReader& read) {
  const bool firehose = request.has_header(kFirehoseRequestId);
  std::string request_id = firehose ? request.get_header_value(kFirehoseRequestId) : "";
  auto answer = [&](int status, std::string_view error) {
    response.status = status;
    if (status == 401) response.set_header("WWW-Authenticate", "Bearer");
    if (status == 503) response.set_header("Retry-After", "1");
    if (firehose) {
      response.set_content(FirehoseBody(request_id, UnixMillis(clock_.Now()), error),
                           "application/json");
    } else if (error.empty()) {
      response.set_content("{\"status\":\"ok\"}", "application/json");
    } else {
      std::string body = "{\"error\":\"";
      AppendJsonEscaped(body, error);
      body += "\"}";
      response.set_content(body, "application/json");
    }
  };

  if (!Authorized(request)) return answer(401, "missing or wrong credentials");
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return answer(503, "shutting down");
    if (active_ >= options_.max_concurrent_requests) return answer(503, "too many requests");
    ++active_;
  }
  struct Release {
    HttpSource* self;
    ~Release() {
      std::lock_guard lock(self->mu_);
      --self->active_;
    }
  } release{this};

  const std::string too_large_message =
      "the body is larger than " + std::to_string(options_.max_body_bytes) + " bytes";
  if (request.has_header("Content-Length")) {
    const std::string length = request.get_header_value("Content-Length");
    uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(), value);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc() && value > options_.max_body_bytes)) {
      return answer(413, too_large_message);
    }
  }
  // The body, inflated by httplib when Content-Encoding says gzip, limited as it arrives.
  std::string body;
  bool too_large = false;
  const bool complete = read([&](const char* data, size_t size) {
    if (body.size() + size > options_.max_body_bytes) {
      too_large = true;
      return false;
    }
    body.append(data, size);
    return true;
  });
  if (too_large) return answer(413, too_large_message);
  if (!complete) return answer(400, "the body could not be read");

  Batch batch;
  if (firehose) {
    std::string body_request_id;
    auto documents = FirehoseDocuments(body, body_request_id);
    if (!documents) return answer(400, documents.error().message);
    if (request_id.empty()) request_id = body_request_id;
    // Not the request id: it is the sender's text, and the reader classifies inputs by name.
    batch.input = "firehose";
    batch.documents = std::move(*documents);
  } else {
    Pad(body);
    batch.input = "http";
    batch.documents.push_back(std::move(body));
  }
  if (batch.documents.empty()) return answer(200, "");  // nothing to evaluate
  if (auto failure = Submit(std::move(batch))) return answer(failure->first, failure->second);
  answer(200, "");
}

std::optional<std::pair<int, std::string>> HttpSource::Submit(Batch batch) {
  std::unique_lock lock(mu_);
  const uint64_t handle = next_handle_++;
  batch.handle = handle;
  waiting_[handle] = Waiting{};
  queue_.push_back(std::move(batch));
  batch_ready_.notify_one();
  // The pipeline answers through Ack/Nack. The deadline is a safety net against a stuck
  // pipeline, in real time: it bounds how long a sender's connection is held.
  const auto deadline = std::chrono::steady_clock::now() + options_.ack_timeout;
  answered_.wait_until(lock, deadline, [&] { return waiting_[handle].answered || shutting_down_; });
  Waiting waiting = std::move(waiting_[handle]);
  waiting_.erase(handle);
  if (waiting.answered) {
    if (waiting.ok) return std::nullopt;
    return std::pair{500, waiting.error};
  }
  // Not answered: drop the batch if it is still queued (a late Ack/Nack finds no one waiting).
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->handle == handle) {
      queue_.erase(it);
      break;
    }
  }
  return std::pair{503, shutting_down_ ? "shutting down" : "timed out waiting for the pipeline"};
}

Result<std::optional<Batch>> HttpSource::Next(const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  while (queue_.empty()) {
    if (stop.load(std::memory_order_acquire) || shutting_down_) return std::nullopt;
    batch_ready_.wait_for(lock, kStopCheck);
  }
  Batch batch = std::move(queue_.front());
  queue_.pop_front();
  return batch;
}

void HttpSource::Ack(const Batch& batch) {
  {
    std::lock_guard lock(mu_);
    auto it = waiting_.find(batch.handle);
    if (it == waiting_.end()) return;
    it->second.answered = true;
    it->second.ok = true;
  }
  answered_.notify_all();
}

void HttpSource::Nack(const Batch& batch, const Error& error) {
  {
    std::lock_guard lock(mu_);
    auto it = waiting_.find(batch.handle);
    if (it == waiting_.end()) return;
    it->second.answered = true;
    it->second.error = "the batch could not be committed: " + error.ToString();
  }
  answered_.notify_all();
}

}  // namespace tw::sources
