#include "sinks/slack/slack_webhook_sink.h"

#include "sinks/http_outcome.h"
#include "sinks/slack/block_kit.h"

namespace tw::sinks::slack {

Result<std::unique_ptr<SlackWebhookSink>> SlackWebhookSink::Create(
    SlackWebhookOptions options, std::unique_ptr<http::HttpClient> client, const Clock& clock) {
  if (options.name.empty()) return Fail(ErrorCode::kInvalidArgument, "slack sink: empty name");
  if (!IsHttpUrl(options.webhook_url)) {
    return Fail(ErrorCode::kInvalidArgument,
                "slack sink " + options.name + ": webhook_url must be an http(s) URL");
  }
  TW_CHECK(client != nullptr);
  return std::unique_ptr<SlackWebhookSink>(
      new SlackWebhookSink(std::move(options), std::move(client), clock));
}

SlackWebhookSink::SlackWebhookSink(SlackWebhookOptions options,
                                   std::unique_ptr<http::HttpClient> client, const Clock& clock)
    : options_(std::move(options)), client_(std::move(client)), clock_(clock) {}

DeliveryResult SlackWebhookSink::Deliver(const alert::Alert& alert, const std::string&) {
  http::Request request;
  request.method = "POST";
  request.url = options_.webhook_url;
  request.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  request.body = SlackMessageJson(BuildSlackMessage(alert));
  return ClassifyHttp(client_->Send(request), clock_.Now());
}

}  // namespace tw::sinks::slack
