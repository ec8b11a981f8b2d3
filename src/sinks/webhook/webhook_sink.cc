#include "sinks/webhook/webhook_sink.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sinks/http_outcome.h"

namespace tw::sinks::webhook {

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &len);
  TW_CHECK(ok != nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string SignatureFor(std::string_view secret, std::string_view timestamp,
                         std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp);
  message += '.';
  message.append(body);
  return "sha256=" + HmacSha256Hex(secret, message);
}

Result<std::unique_ptr<WebhookSink>> WebhookSink::Create(WebhookOptions options,
                                                         AlertFormatter body,
                                                         std::unique_ptr<http::HttpClient> client,
                                                         const Clock& clock) {
  if (options.name.empty()) return Fail(ErrorCode::kInvalidArgument, "webhook sink: empty name");
  const std::string where = "webhook sink " + options.name + ": ";
  if (!IsHttpUrl(options.url)) {
    return Fail(ErrorCode::kInvalidArgument, where + "url must be an http(s) URL");
  }
  for (const http::Header& h : options.headers) {
    if (h.name.empty() || h.name.find_first_of(":\r\n", 0) != std::string::npos ||
        h.name.find('\0') != std::string::npos ||
        h.value.find_first_of("\r\n", 0) != std::string::npos ||
        h.value.find('\0') != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument, where + "bad custom header name or value");
    }
    for (std::string_view owned :
         {std::string_view("Content-Type"), std::string_view("Idempotency-Key"), kTimestampHeader,
          kSignatureHeader}) {
      if (http::EqualsIgnoreCase(h.name, owned)) {
        return Fail(ErrorCode::kInvalidArgument,
                    where + "custom header " + h.name + " is set by the sink itself");
      }
    }
  }
  TW_CHECK(body != nullptr && client != nullptr);
  return std::unique_ptr<WebhookSink>(
      new WebhookSink(std::move(options), std::move(body), std::move(client), clock));
}

WebhookSink::WebhookSink(WebhookOptions options, AlertFormatter body,
                         std::unique_ptr<http::HttpClient> client, const Clock& clock)
    : options_(std::move(options)),
      body_(std::move(body)),
      client_(std::move(client)),
      clock_(clock) {}

DeliveryResult WebhookSink::Deliver(const alert::Alert& alert, const std::string&) {
  http::Request request;
  request.method = "POST";
  request.url = options_.url;
  body_(alert, request.body);
  request.headers.push_back({"Content-Type", "application/json"});
  request.headers.push_back({"Idempotency-Key", alert.id});
  const Clock::WallTime now = clock_.Now();
  if (!options_.hmac_secret.empty()) {
    const std::string timestamp = std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
    request.headers.push_back({std::string(kSignatureHeader),
                               SignatureFor(options_.hmac_secret, timestamp, request.body)});
    request.headers.push_back({std::string(kTimestampHeader), timestamp});
  }
  for (const http::Header& h : options_.headers) request.headers.push_back(h);
  return ClassifyHttp(client_->Send(request), now);
}

}  // namespace tw::sinks::webhook
