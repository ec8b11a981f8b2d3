#include "aws/aws_error.h"

#include <simdjson.h>

#include <algorithm>
#include <pugixml.hpp>

namespace tw::aws {
namespace {

std::string_view TrimLeft(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string_view() : s.substr(b);
}

// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" -> "ResourceNotFoundException";
// "ValidationException:http://internal.amazon.com/..." -> "ValidationException".
std::string CleanCode(std::string_view code) {
  if (size_t colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  if (size_t hash = code.rfind('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  return std::string(code);
}

std::string StatusCode(int status) {
  switch (status) {
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 503:
      return "ServiceUnavailable";
    default:
      return "HttpError";
  }
}

void ParseXml(std::string_view body, AwsError& out) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return;
  pugi::xml_node error = doc.child("Error");  // S3
  pugi::xml_node root = doc.child("ErrorResponse");
  if (!error && root) error = root.child("Error");
  if (!error) return;
  out.code = error.child_value("Code");
  out.message = error.child_value("Message");
  out.request_id = error.child_value("RequestId");
  if (out.request_id.empty() && root) out.request_id = root.child_value("RequestId");
}

void ParseJson(std::string_view body, AwsError& out) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return;
  std::string_view s;
  if (doc["__type"].get(s) == simdjson::SUCCESS) out.code = CleanCode(s);
  if (out.code.empty() && doc["code"].get(s) == simdjson::SUCCESS) out.code = CleanCode(s);
  if (doc["message"].get(s) == simdjson::SUCCESS || doc["Message"].get(s) == simdjson::SUCCESS ||
      doc["errorMessage"].get(s) == simdjson::SUCCESS) {
    out.message = std::string(s);
  }
}

bool IsThrottling(std::string_view code) {
  // botocore 1.43 retries/standard.py ThrottledRetryableChecker._THROTTLED_ERROR_CODES.
  static constexpr std::string_view kCodes[] = {"Throttling",
                                                "ThrottlingException",
                                                "ThrottledException",
                                                "RequestThrottledException",
                                                "TooManyRequestsException",
                                                "ProvisionedThroughputExceededException",
                                                "TransactionInProgressException",
                                                "RequestLimitExceeded",
                                                "BandwidthLimitExceeded",
                                                "LimitExceededException",
                                                "RequestThrottled",
                                                "SlowDown",
                                                "PriorRequestNotComplete",
                                                "EC2ThrottledException"};
  return std::find(std::begin(kCodes), std::end(kCodes), code) != std::end(kCodes);
}
}  // namespace

std::string AwsError::ToString() const { return message.empty() ? code : code + ": " + message; }

Error AwsError::ToError(std::string_view context) const {
  static constexpr std::string_view kNotFound[] = {"NoSuchKey",
                                                   "NoSuchBucket",
                                                   "NotFound",
                                                   "ResourceNotFoundException",
                                                   "AWS.SimpleQueueService.NonExistentQueue",
                                                   "QueueDoesNotExist",
                                                   "NoSuchEntity"};
  static constexpr std::string_view kTransient[] = {"RequestTimeout", "RequestTimeoutException",
                                                    "PriorRequestNotComplete"};
  ErrorCode ec = ErrorCode::kInvalidArgument;
  if (IsThrottling(code)) {
    ec = ErrorCode::kResourceExhausted;
  } else if (http_status >= 500 || std::find(std::begin(kTransient), std::end(kTransient), code) !=
                                       std::end(kTransient)) {
    ec = ErrorCode::kUnavailable;
  } else if (http_status == 404 ||
             std::find(std::begin(kNotFound), std::end(kNotFound), code) != std::end(kNotFound)) {
    ec = ErrorCode::kNotFound;
  }
  std::string text(context);
  if (!text.empty()) text += ": ";
  text += ToString();
  return Error{ec, std::move(text)};
}

bool IsThrottlingCode(std::string_view code) { return IsThrottling(code); }

AwsError ParseAwsError(const HttpResponse& response) {
  AwsError out;
  out.http_status = response.status;
  std::string_view body = TrimLeft(response.body);
  if (!body.empty() && body.front() == '<') {
    ParseXml(body, out);
  } else if (!body.empty() && body.front() == '{') {
    ParseJson(body, out);
  }
  if (const std::string* query_error = FindHeader(response.headers, "x-amzn-query-error")) {
    std::string_view qe = *query_error;
    out.code = std::string(qe.substr(0, qe.find(';')));
  } else if (out.code.empty()) {
    if (const std::string* type = FindHeader(response.headers, "x-amzn-ErrorType")) {
      out.code = CleanCode(*type);
    }
  }
  if (out.request_id.empty()) {
    for (const char* h : {"x-amzn-RequestId", "x-amz-request-id"}) {
      if (const std::string* id = FindHeader(response.headers, h)) {
        out.request_id = *id;
        break;
      }
    }
  }
  if (out.code.empty()) out.code = StatusCode(response.status);
  return out;
}

}  // namespace tw::aws
