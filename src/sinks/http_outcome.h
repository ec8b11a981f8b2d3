// What an HTTP exchange means for delivery, shared by the HTTP sinks (slack, slack_api, webhook).
//
// The rules (issue 7, "Delivery guarantees"; Slack's incoming-webhook error changelog):
// - a transport error that may clear (kUnavailable/kResourceExhausted: refused, timeout, DNS,
//   TLS) -> kRetry; any other transport error (a malformed URL) -> kPermanent;
// - 2xx -> kDelivered;
// - 429 -> kRetry, with Retry-After (seconds or HTTP-date) when the server sent one, else the
//   JSON body's `retry_after` (seconds; Slack's webhook 429 body carries it);
// - 5xx -> kRetry (Retry-After honoured when present, e.g. a 503);
// - 408 Request Timeout -> kRetry: it is the server's way of saying "timeout";
// - any other status (other 4xx, 1xx, 3xx: redirects are not followed) -> kPermanent, with the
//   response body kept (bounded) for the dead letter.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "http/http_client.h"
#include "sinks/sink.h"

namespace tw::sinks {

// At most this many bytes of a response body are kept in DeliveryResult::error.
inline constexpr size_t kMaxErrorBody = 2048;

DeliveryResult ClassifyHttp(const Result<http::Response>& response, Clock::WallTime now);

// The server's requested delay: the Retry-After header, else a JSON body's top-level
// "retry_after" number (seconds). nullopt when neither is there or valid.
std::optional<std::chrono::milliseconds> RetryAfterOf(const http::Response& response,
                                                      Clock::WallTime now);

// True when `url` starts with http:// or https:// followed by a host, and holds no whitespace.
bool IsHttpUrl(std::string_view url);

// "HTTP <status>: <body, bounded>" for errors and dead letters.
std::string DescribeResponse(const http::Response& response);

}  // namespace tw::sinks
