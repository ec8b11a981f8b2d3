// SlackApiSink (config `type: slack_api`): posts alerts with the Slack Web API and a bot token.
//
// - A new alert: chat.postMessage to `channel` with the Block Kit message (block_kit.h). Its
//   sink_ref is "<channel id> <ts>" from the answer: the thread anchor and the update key.
// - A dedupe repeat (Alert::dedupe_count > 1 and a parent_ref "<channel> <ts>" from the
//   delivery loop): chat.postMessage with `thread_ts` (a reply under the first message), then
//   chat.update of the parent with the message rebuilt from this alert, so the parent shows the
//   current count. The repeat counts as delivered once the reply is posted; a failed chat.update
//   is not retried (retrying would post the reply twice) and is noted in sink_ref after a tab.
//   Without a parent_ref a repeat is posted as a new message.
// - A direct message to the actor, for rules in `dm_rules`, when Alert::actor_email is set and
//   the alert is not a repeat: users.lookupByEmail (GET, scope users:read.email) -> user id;
//   conversations.open (scope im:write) -> the DM channel id (D...); chat.postMessage there.
//   The email -> DM channel mapping is cached for the sink's life. The DM is best effort, after
//   the channel message is posted: its failure does not fail the delivery (a retry would post to
//   the channel twice).
//
// Outcome: HTTP as in sinks/http_outcome.h (429 with Retry-After, 5xx retried); an HTTP 200
// with {"ok":false,"error":E}: E = ratelimited / rate_limited, internal_error, fatal_error,
// service_unavailable, request_timeout -> retry; every other E (channel_not_found,
// not_in_channel, is_archived, invalid_auth, not_authed, token_revoked, account_inactive,
// missing_scope, invalid_blocks, msg_blocks_too_long ...) -> dead letter with the body. A 200
// whose body is not Slack's JSON is retried (the post may or may not have happened).
//
// Ownership: owns its HttpClient; borrows the Clock. Thread-safety: as Sink.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "http/http_client.h"
#include "sinks/sink.h"
#include "sinks/sink_filter.h"

namespace tw::sinks::slack {

struct SlackApiOptions {
  std::string name = "slack_api";
  std::string token;                              // bot token (xoxb-...): a secret, never logged
  std::string channel;                            // "#security-alerts" or a channel id
  std::string api_url = "https://slack.com/api";  // no trailing slash needed
  std::vector<std::string> dm_rules;              // rule ids whose alerts also DM the actor
  SinkFilter filter;
};

class SlackApiSink final : public Sink {
 public:
  // kInvalidArgument for an empty name, token or channel, or an api_url that is not http(s).
  [[nodiscard]] static Result<std::unique_ptr<SlackApiSink>> Create(
      SlackApiOptions options, std::unique_ptr<http::HttpClient> client, const Clock& clock);

  const std::string& name() const override { return options_.name; }
  bool Accepts(const alert::Alert& alert) const override { return options_.filter.Accepts(alert); }
  DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent_ref) override;

 private:
  SlackApiSink(SlackApiOptions options, std::unique_ptr<http::HttpClient> client,
               const Clock& clock);

  struct Call;  // one Web API call's outcome
  Call Post(const std::string& method, const std::string& json_body);
  Call Get(const std::string& method, const std::string& query);
  Call Finish(const Result<http::Response>& response);
  // Best effort; returns an error text or empty.
  std::string SendDirectMessage(const alert::Alert& alert, const std::string& body_members);

  SlackApiOptions options_;
  std::unique_ptr<http::HttpClient> client_;
  const Clock& clock_;
  std::map<std::string, std::string> dm_channels_;  // email -> D... channel id
};

// Slack Web API error codes (the `error` of an ok:false answer) that are worth retrying.
bool IsRetryableSlackError(std::string_view error);

// application/x-www-form-urlencoded / RFC 3986 percent-encoding of a query value.
std::string PercentEncode(std::string_view s);

}  // namespace tw::sinks::slack
