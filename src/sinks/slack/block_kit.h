// The Slack message for an alert, in Block Kit: one builder shared by the incoming-webhook sink
// (`slack`) and the Web API sink (`slack_api`).
//
// Layout (docs/sinks.md shows an example):
//   top-level `text`: a plain fallback for notifications ("HIGH: <title>: <event> by <actor> in
//     <account>"), mrkdwn-escaped;
//   one attachment with `color` (by severity) holding the blocks, so the message has a coloured
//     sidebar (Slack renders attachment blocks with the colour bar):
//     1. header (plain_text): "<SEVERITY> · <rule title>";
//     2. section with fields: Event, Time (Alert::local_time, else event_time), Source IP, Actor,
//        Account (+ account name), Region, User agent, Error (when the event failed), Count (a
//        dedupe or threshold count above one);
//     3. security-group changes (Alert::security_group_changes), one line per rule, packed into
//        sections of at most kMaxSectionText bytes;
//     4. actions: a button "Open in CloudTrail console" to Alert::console_url (when set and not
//        longer than kMaxButtonUrl; a longer URL would be cut and broken, so it is left out);
//     5. context: rule id, alert id, input.
// Limits (Slack docs, cited in ../shared/docs/alerting-and-aws-facts.md §1.5) are counted in
// bytes, which is never fewer than Slack's characters, so a message within them in bytes is
// within them in characters. Text that does not fit is cut at a character boundary with
// "… (truncated)"; security-group rules that do not fit are summarised by a context line
// "… (truncated): N more security-group rules not shown".
// Every event-derived value is escaped (mrkdwn.h): inside code spans in mrkdwn, control
// characters made visible in plain_text. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"

namespace tw::sinks::slack {

inline constexpr size_t kMaxBlocks = 50;           // blocks per message
inline constexpr size_t kMaxSectionText = 3000;    // section text
inline constexpr size_t kMaxFields = 10;           // fields per section
inline constexpr size_t kMaxFieldText = 2000;      // each field
inline constexpr size_t kMaxHeaderText = 150;      // header plain_text
inline constexpr size_t kMaxButtonText = 75;       // button plain_text
inline constexpr size_t kMaxButtonUrl = 3000;      // button url
inline constexpr size_t kMaxContextElements = 10;  // context elements
// Our own budgets: the fallback text stays under chat.update's 4,000-character limit, and the
// blocks' text in total stays under the undocumented ~13.2k aggregate cap (msg_blocks_too_long,
// slackapi/bolt-js#2509).
inline constexpr size_t kMaxFallbackText = 3000;
inline constexpr size_t kMaxTotalBlockText = 12000;

struct SlackMessage {
  std::string text;                 // fallback, already mrkdwn-escaped
  std::string color;                // "#rrggbb"
  std::vector<std::string> blocks;  // each a JSON object
  bool truncated = false;           // something was cut or left out
};

// Builds the message for `alert`.
SlackMessage BuildSlackMessage(const alert::Alert& alert);

// The JSON payload: {<extra_members>"text":...,"attachments":[{"color":...,"blocks":[...]}]}.
// `extra_members` is either empty or JSON members each followed by a comma, e.g.
// "\"channel\":\"C1\",\"thread_ts\":\"1.2\","; callers build them with AppendJsonMember.
std::string SlackMessageJson(const SlackMessage& message, std::string_view extra_members = "");

// Appends "\"name\":\"<escaped value>\"," to `out`.
void AppendJsonMember(std::string& out, std::string_view name, std::string_view value);

// The sidebar colour for a severity.
const char* SeverityColor(rules::Severity severity);

// One security-group change as a line of mrkdwn: "added ingress `tcp` port `22` from
// `0.0.0.0/0` on `sg-1` (`ssh`)".
std::string DescribeSecurityGroupChange(const alert::SecurityGroupChange& change);

}  // namespace tw::sinks::slack
