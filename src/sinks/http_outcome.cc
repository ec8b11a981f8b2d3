#include "sinks/http_outcome.h"

#include <simdjson.h>

#include "common/strings.h"
#include "http/retry_after.h"

namespace tw::sinks {

bool IsHttpUrl(std::string_view url) {
  for (std::string_view scheme : {std::string_view("https://"), std::string_view("http://")}) {
    if (StartsWith(url, scheme)) {
      const std::string_view rest = url.substr(scheme.size());
      return !rest.empty() && rest.front() != '/' &&
             rest.find_first_of(" \r\n\t") == std::string_view::npos;
    }
  }
  return false;
}

std::optional<std::chrono::milliseconds> RetryAfterOf(const http::Response& response,
                                                      Clock::WallTime now) {
  if (const std::string* value = response.FindHeader("Retry-After")) {
    if (auto delay = http::ParseRetryAfter(*value, now)) return delay;
  }
  if (response.body.empty() || response.body.front() != '{') return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response.body).get(doc) != simdjson::SUCCESS) return std::nullopt;
  double secs = 0;
  if (doc["retry_after"].get(secs) != simdjson::SUCCESS) {
    int64_t whole = 0;
    if (doc["retry_after"].get(whole) != simdjson::SUCCESS) return std::nullopt;
    secs = static_cast<double>(whole);
  }
  if (!(secs >= 0) || secs > 86400) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(secs * 1000));
}

std::string DescribeResponse(const http::Response& response) {
  std::string out = "HTTP " + std::to_string(response.status);
  if (!response.body.empty()) {
    out += ": ";
    out.append(response.body, 0, std::min(response.body.size(), kMaxErrorBody));
    if (response.body.size() > kMaxErrorBody || response.body_truncated) out += " (truncated)";
  }
  return out;
}

DeliveryResult ClassifyHttp(const Result<http::Response>& response, Clock::WallTime now) {
  DeliveryResult result;
  if (!response) {
    const ErrorCode code = response.error().code;
    result.status = (code == ErrorCode::kUnavailable || code == ErrorCode::kResourceExhausted)
                        ? DeliveryStatus::kRetry
                        : DeliveryStatus::kPermanent;
    result.error = response.error().ToString();
    return result;
  }
  const long status = response->status;
  if (status >= 200 && status < 300) {
    result.status = DeliveryStatus::kDelivered;
    return result;
  }
  result.error = DescribeResponse(*response);
  if (status == 429 || status == 408 || (status >= 500 && status < 600)) {
    result.status = DeliveryStatus::kRetry;
    result.retry_after = RetryAfterOf(*response, now);
  } else {
    result.status = DeliveryStatus::kPermanent;
  }
  return result;
}

}  // namespace tw::sinks
