#include "sinks/slack/slack_api_sink.h"

#include <simdjson.h>

#include <algorithm>

#include "sinks/http_outcome.h"
#include "sinks/slack/block_kit.h"

namespace tw::sinks::slack {

struct SlackApiSink::Call {
  DeliveryResult result;   // kDelivered when ok:true
  std::string channel;     // "channel" of the answer (a string)
  std::string ts;          // "ts"
  std::string user_id;     // users.lookupByEmail: user.id
  std::string dm_channel;  // conversations.open: channel.id
};

bool IsRetryableSlackError(std::string_view error) {
  return error == "ratelimited" || error == "rate_limited" || error == "internal_error" ||
         error == "fatal_error" || error == "service_unavailable" || error == "request_timeout";
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<std::unique_ptr<SlackApiSink>> SlackApiSink::Create(SlackApiOptions options,
                                                           std::unique_ptr<http::HttpClient> client,
                                                           const Clock& clock) {
  if (options.name.empty()) return Fail(ErrorCode::kInvalidArgument, "slack_api sink: empty name");
  const std::string where = "slack_api sink " + options.name + ": ";
  if (options.token.empty()) return Fail(ErrorCode::kInvalidArgument, where + "token is empty");
  if (options.channel.empty()) return Fail(ErrorCode::kInvalidArgument, where + "channel is empty");
  if (!IsHttpUrl(options.api_url)) {
    return Fail(ErrorCode::kInvalidArgument, where + "api_url must be an http(s) URL");
  }
  while (!options.api_url.empty() && options.api_url.back() == '/') options.api_url.pop_back();
  TW_CHECK(client != nullptr);
  return std::unique_ptr<SlackApiSink>(
      new SlackApiSink(std::move(options), std::move(client), clock));
}

SlackApiSink::SlackApiSink(SlackApiOptions options, std::unique_ptr<http::HttpClient> client,
                           const Clock& clock)
    : options_(std::move(options)), client_(std::move(client)), clock_(clock) {}

SlackApiSink::Call SlackApiSink::Finish(const Result<http::Response>& response) {
  Call call;
  call.result = ClassifyHttp(response, clock_.Now());
  if (call.result.status != DeliveryStatus::kDelivered) return call;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  bool ok = false;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS ||
      doc["ok"].get(ok) != simdjson::SUCCESS) {
    call.result.status = DeliveryStatus::kRetry;
    call.result.error = "not a Slack Web API answer: " + DescribeResponse(*response);
    return call;
  }
  if (!ok) {
    std::string_view error;
    if (doc["error"].get(error) != simdjson::SUCCESS) error = "unknown";
    call.result.status =
        IsRetryableSlackError(error) ? DeliveryStatus::kRetry : DeliveryStatus::kPermanent;
    if (call.result.status == DeliveryStatus::kRetry) {
      call.result.retry_after = RetryAfterOf(*response, clock_.Now());
    }
    call.result.error = "slack " + std::string(error) + ": " + DescribeResponse(*response);
    return call;
  }
  std::string_view text;
  if (doc["channel"].get(text) == simdjson::SUCCESS) call.channel = text;
  if (doc["ts"].get(text) == simdjson::SUCCESS) call.ts = text;
  if (doc["user"]["id"].get(text) == simdjson::SUCCESS) call.user_id = text;
  if (doc["channel"]["id"].get(text) == simdjson::SUCCESS) call.dm_channel = text;
  return call;
}

SlackApiSink::Call SlackApiSink::Post(const std::string& method, const std::string& json_body) {
  http::Request request;
  request.method = "POST";
  request.url = options_.api_url + "/" + method;
  request.headers = {{"Content-Type", "application/json; charset=utf-8"},
                     {"Authorization", "Bearer " + options_.token}};
  request.body = json_body;
  return Finish(client_->Send(request));
}

SlackApiSink::Call SlackApiSink::Get(const std::string& method, const std::string& query) {
  http::Request request;
  request.method = "GET";
  request.url = options_.api_url + "/" + method + "?" + query;
  request.headers = {{"Authorization", "Bearer " + options_.token}};
  return Finish(client_->Send(request));
}

std::string SlackApiSink::SendDirectMessage(const alert::Alert& alert,
                                            const std::string& message_json_tail) {
  auto cached = dm_channels_.find(alert.actor_email);
  std::string dm;
  if (cached != dm_channels_.end()) {
    dm = cached->second;
  } else {
    Call user = Get("users.lookupByEmail", "email=" + PercentEncode(alert.actor_email));
    if (user.result.status != DeliveryStatus::kDelivered) return user.result.error;
    if (user.user_id.empty()) return "users.lookupByEmail: no user id";
    std::string open_body = "{";
    AppendJsonMember(open_body, "users", user.user_id);
    open_body.back() = '}';
    Call open = Post("conversations.open", open_body);
    if (open.result.status != DeliveryStatus::kDelivered) return open.result.error;
    if (open.dm_channel.empty()) return "conversations.open: no channel id";
    dm = open.dm_channel;
    dm_channels_.emplace(alert.actor_email, dm);
  }
  std::string members;
  AppendJsonMember(members, "channel", dm);
  Call post = Post("chat.postMessage", "{" + members + message_json_tail);
  return post.result.status == DeliveryStatus::kDelivered ? "" : post.result.error;
}

DeliveryResult SlackApiSink::Deliver(const alert::Alert& alert, const std::string& parent_ref) {
  const SlackMessage message = BuildSlackMessage(alert);
  // The message JSON without its opening brace, to prepend channel/thread members.
  const std::string tail = SlackMessageJson(message).substr(1);

  const size_t space = parent_ref.find(' ');
  if (alert.dedupe_count > 1 && space != std::string::npos && space > 0 &&
      space + 1 < parent_ref.size()) {
    const std::string channel = parent_ref.substr(0, space);
    const size_t tab = parent_ref.find('\t', space + 1);
    const std::string parent_ts = parent_ref.substr(
        space + 1, tab == std::string::npos ? std::string::npos : tab - space - 1);
    std::string members;
    AppendJsonMember(members, "channel", channel);
    AppendJsonMember(members, "thread_ts", parent_ts);
    Call reply = Post("chat.postMessage", "{" + members + tail);
    if (reply.result.status != DeliveryStatus::kDelivered) return reply.result;
    DeliveryResult result;
    result.sink_ref = (reply.channel.empty() ? channel : reply.channel) + " " + reply.ts;
    std::string update_members;
    AppendJsonMember(update_members, "channel", channel);
    AppendJsonMember(update_members, "ts", parent_ts);
    Call update = Post("chat.update", "{" + update_members + tail);
    if (update.result.status != DeliveryStatus::kDelivered) {
      result.sink_ref += "\tchat.update failed: " + update.result.error.substr(0, 200);
    }
    return result;
  }

  std::string members;
  AppendJsonMember(members, "channel", options_.channel);
  Call post = Post("chat.postMessage", "{" + members + tail);
  if (post.result.status != DeliveryStatus::kDelivered) return post.result;
  DeliveryResult result;
  result.sink_ref = (post.channel.empty() ? options_.channel : post.channel) + " " + post.ts;
  if (!alert.actor_email.empty() && alert.dedupe_count <= 1 &&
      std::find(options_.dm_rules.begin(), options_.dm_rules.end(), alert.rule_id) !=
          options_.dm_rules.end()) {
    const std::string dm_error = SendDirectMessage(alert, tail);
    if (!dm_error.empty()) result.sink_ref += "\tdm failed: " + dm_error.substr(0, 200);
  }
  return result;
}

}  // namespace tw::sinks::slack
