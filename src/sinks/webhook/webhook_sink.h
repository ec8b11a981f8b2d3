// WebhookSink (config `type: webhook`): POSTs each alert as JSON to a URL.
//
// Request: `Content-Type: application/json`, `Idempotency-Key: <alert id>` (the same on every
// attempt and after a restart, so a receiver can drop the one repeat a crash between its 2xx
// and our outbox commit can cause), the configured custom headers, and, when an HMAC secret is
// configured:
//   X-Trailwatch-Timestamp: <Unix seconds, from the Clock>
//   X-Trailwatch-Signature: sha256=<lower-case hex HMAC-SHA256(secret, "<timestamp>.<body>")>
// A receiver recomputes the HMAC over the timestamp header, a '.', and the raw body bytes,
// compares in constant time, and rejects timestamps too far from its clock (Slack's scheme,
// with '.' as separator, as Stripe does). The body is the alert JSON produced by the injected
// `body` function (alert/format.h AppendAlertJson once it is on main).
// Outcome: sinks/http_outcome.h.
//
// Ownership: owns its HttpClient; borrows the Clock. Thread-safety: as Sink.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "http/http_client.h"
#include "sinks/alert_formatter.h"
#include "sinks/sink.h"
#include "sinks/sink_filter.h"

namespace tw::sinks::webhook {

inline constexpr std::string_view kTimestampHeader = "X-Trailwatch-Timestamp";
inline constexpr std::string_view kSignatureHeader = "X-Trailwatch-Signature";

struct WebhookOptions {
  std::string name = "webhook";
  std::string url;
  std::string hmac_secret;            // empty: no signature headers; a secret, never logged
  std::vector<http::Header> headers;  // custom headers, sent on every request
  SinkFilter filter;
};

class WebhookSink final : public Sink {
 public:
  // kInvalidArgument for an empty name, a URL that is not http(s), a custom header whose name
  // or value holds CR/LF/NUL (header injection), or one that would replace a header the sink
  // owns (Content-Type, Idempotency-Key, the signature headers).
  [[nodiscard]] static Result<std::unique_ptr<WebhookSink>> Create(
      WebhookOptions options, AlertFormatter body, std::unique_ptr<http::HttpClient> client,
      const Clock& clock);

  const std::string& name() const override { return options_.name; }
  bool Accepts(const alert::Alert& alert) const override { return options_.filter.Accepts(alert); }
  DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent_ref) override;

 private:
  WebhookSink(WebhookOptions options, AlertFormatter body, std::unique_ptr<http::HttpClient> client,
              const Clock& clock);

  WebhookOptions options_;
  AlertFormatter body_;
  std::unique_ptr<http::HttpClient> client_;
  const Clock& clock_;
};

// Lower-case hex of HMAC-SHA256(key, message).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

// The X-Trailwatch-Signature value for `timestamp` (decimal Unix seconds) and `body`:
// "sha256=" + HmacSha256Hex(secret, timestamp + "." + body).
std::string SignatureFor(std::string_view secret, std::string_view timestamp,
                         std::string_view body);

}  // namespace tw::sinks::webhook
