// SlackWebhookSink (config `type: slack`): posts each alert's Block Kit message (block_kit.h) to
// a Slack incoming webhook.
//
// Outcome (sinks/http_outcome.h): 2xx delivered; 429 retried after Retry-After (header, else
// the body's retry_after); 5xx, timeouts and refused connections retried; any other status
// (400 invalid_payload, 403 action_prohibited, 404 channel_not_found / no_service, 410
// channel_is_archived) dead-lettered with the body kept. A webhook answers no message `ts`, so it
// cannot thread repeats: a repeat (Alert::dedupe_count > 1) is posted as its own message showing
// the count, and sink_ref stays empty.
//
// Ownership: owns its HttpClient; borrows the Clock (which must outlive it). Thread-safety: as
// Sink (one delivery loop calls Deliver).
#pragma once

#include <memory>
#include <string>

#include "common/clock.h"
#include "http/http_client.h"
#include "sinks/sink.h"
#include "sinks/sink_filter.h"

namespace tw::sinks::slack {

struct SlackWebhookOptions {
  std::string name = "slack";  // the sink's configured name
  std::string webhook_url;     // a secret: never logged or put in errors
  SinkFilter filter;
};

class SlackWebhookSink final : public Sink {
 public:
  // kInvalidArgument when webhook_url is not an http(s) URL or name is empty.
  [[nodiscard]] static Result<std::unique_ptr<SlackWebhookSink>> Create(
      SlackWebhookOptions options, std::unique_ptr<http::HttpClient> client, const Clock& clock);

  const std::string& name() const override { return options_.name; }
  bool Accepts(const alert::Alert& alert) const override { return options_.filter.Accepts(alert); }
  DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent_ref) override;

 private:
  SlackWebhookSink(SlackWebhookOptions options, std::unique_ptr<http::HttpClient> client,
                   const Clock& clock);

  SlackWebhookOptions options_;
  std::unique_ptr<http::HttpClient> client_;
  const Clock& clock_;
};

}  // namespace tw::sinks::slack
