#include "sinks/slack/block_kit.h"

#include <algorithm>

#include "common/strings.h"
#include "sinks/slack/mrkdwn.h"

namespace tw::sinks::slack {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

std::string PlainText(std::string_view text) {
  return "{\"type\":\"plain_text\",\"text\":" + Quoted(text) + ",\"emoji\":true}";
}

std::string Mrkdwn(std::string_view text) {
  return "{\"type\":\"mrkdwn\",\"text\":" + Quoted(text) + "}";
}

std::string PortRange(const alert::SecurityGroupChange& c) {
  if (c.protocol == "-1" || (c.from_port == -1 && c.to_port == -1)) return "all";
  if (c.from_port == c.to_port || c.to_port == -1) return std::to_string(c.from_port);
  if (c.from_port == -1) return std::to_string(c.to_port);
  return std::to_string(c.from_port) + "-" + std::to_string(c.to_port);
}

std::string Field(std::string_view label, std::string_view mrkdwn_value, bool* truncated) {
  std::string text = "*" + std::string(label) + "*\n" + std::string(mrkdwn_value);
  if (text.size() > kMaxFieldText) {
    *truncated = true;
    text = TruncateMrkdwn(text, kMaxFieldText);
  }
  return Mrkdwn(text);
}

}  // namespace

const char* SeverityColor(rules::Severity severity) {
  switch (severity) {
    case rules::Severity::kCritical:
      return "#8b0000";
    case rules::Severity::kHigh:
      return "#e01e5a";
    case rules::Severity::kMedium:
      return "#ecb22e";
    case rules::Severity::kLow:
      return "#36c5f0";
    case rules::Severity::kInfo:
      return "#9e9e9e";
  }
  return "#9e9e9e";
}

void AppendJsonMember(std::string& out, std::string_view name, std::string_view value) {
  out += '"';
  AppendJsonEscaped(out, name);
  out += "\":\"";
  AppendJsonEscaped(out, value);
  out += "\",";
}

std::string DescribeSecurityGroupChange(const alert::SecurityGroupChange& c) {
  constexpr size_t kPart = 300;  // each value; a line stays well under a section's limit
  std::string line = EscapeMrkdwn(c.action);
  if (!c.direction.empty()) line += " " + EscapeMrkdwn(c.direction);
  if (!c.protocol.empty() || c.from_port != -1 || c.to_port != -1) {
    line += " " + MrkdwnCode(c.protocol == "-1" ? "all protocols" : c.protocol, kPart);
    line += " port " + MrkdwnCode(PortRange(c), kPart);
  }
  if (!c.peer.empty()) {
    line += (c.direction == "egress" ? " to " : " from ") + MrkdwnCode(c.peer, kPart);
  }
  if (!c.group.empty()) line += " on " + MrkdwnCode(c.group, kPart);
  if (!c.description.empty()) line += " (" + MrkdwnCode(c.description, kPart) + ")";
  return line;
}

SlackMessage BuildSlackMessage(const alert::Alert& a) {
  SlackMessage m;
  m.color = SeverityColor(a.severity);
  const std::string severity = Upper(rules::SeverityName(a.severity));
  size_t total = 0;  // bytes of text in blocks, against kMaxTotalBlockText

  // Fallback text.
  {
    std::string text = severity + ": " + EscapeMrkdwn(a.rule_title);
    if (!a.event_name.empty()) text += ": " + EscapeMrkdwn(a.event_name);
    if (!a.actor.empty()) text += " by " + EscapeMrkdwn(a.actor);
    if (!a.account_id.empty()) text += " in " + EscapeMrkdwn(a.account_id);
    if (a.dedupe_count > 1) text += " (" + std::to_string(a.dedupe_count) + " events)";
    if (text.size() > kMaxFallbackText) {
      m.truncated = true;
      text = TruncateMrkdwn(text, kMaxFallbackText);
    }
    m.text = std::move(text);
  }

  // 1. Header.
  {
    std::string header = severity + " · " + EscapeForTerminal(a.rule_title);
    if (header.size() > kMaxHeaderText) {
      m.truncated = true;
      header = TruncateMrkdwn(header, kMaxHeaderText);
    }
    total += header.size();
    m.blocks.push_back("{\"type\":\"header\",\"text\":" + PlainText(header) + "}");
  }

  // 2. Fields.
  {
    std::vector<std::string> fields;
    std::string event = MrkdwnCode(a.event_name, 900);
    if (!a.event_source.empty()) event += " (" + MrkdwnCode(a.event_source, 900) + ")";
    fields.push_back(Field("Event", event, &m.truncated));
    fields.push_back(Field("Time", MrkdwnCode(a.local_time.empty() ? a.event_time : a.local_time),
                           &m.truncated));
    fields.push_back(Field("Source IP", MrkdwnCode(a.source_ip), &m.truncated));
    fields.push_back(Field("Actor", MrkdwnCode(a.actor), &m.truncated));
    std::string account = MrkdwnCode(a.account_id, 900);
    if (!a.account_name.empty()) account += " (" + MrkdwnCode(a.account_name, 900) + ")";
    fields.push_back(Field("Account", account, &m.truncated));
    fields.push_back(Field("Region", MrkdwnCode(a.aws_region), &m.truncated));
    fields.push_back(Field("User agent", MrkdwnCode(a.user_agent), &m.truncated));
    if (!a.error_code.empty() || !a.error_message.empty()) {
      std::string error = MrkdwnCode(a.error_code, 400);
      if (!a.error_message.empty()) error += ": " + MrkdwnCode(a.error_message, 1500);
      fields.push_back(Field("Error", error, &m.truncated));
    }
    if (a.threshold_count > 0) {
      fields.push_back(Field("Count", std::to_string(a.threshold_count) + " events in the window",
                             &m.truncated));
    } else if (a.dedupe_count > 1) {
      fields.push_back(Field("Count", std::to_string(a.dedupe_count) + " events (repeats folded)",
                             &m.truncated));
    }
    TW_CHECK(fields.size() <= kMaxFields);
    std::string block = "{\"type\":\"section\",\"fields\":[";
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) block += ',';
      block += fields[i];
    }
    block += "]}";
    for (const std::string& f : fields) total += f.size();
    m.blocks.push_back(std::move(block));
  }

  // The tail blocks, built first so the security-group sections get what is left.
  std::vector<std::string> tail;
  size_t tail_text = 0;
  if (!a.console_url.empty()) {
    if (a.console_url.size() <= kMaxButtonUrl) {
      const std::string label = "Open in CloudTrail console";
      static_assert(sizeof("Open in CloudTrail console") - 1 <= kMaxButtonText);
      tail.push_back("{\"type\":\"actions\",\"elements\":[{\"type\":\"button\",\"text\":" +
                     PlainText(label) + ",\"url\":" + Quoted(a.console_url) + "}]}");
      tail_text += label.size() + a.console_url.size();
    } else {
      m.truncated = true;
    }
  }
  {
    std::string ctx = "rule " + MrkdwnCode(a.rule_id, 300);
    if (!a.id.empty()) ctx += " · alert " + MrkdwnCode(a.id, 300);
    if (!a.input_file.empty()) {
      ctx += " · " + MrkdwnCode(a.input_file, 600) + (a.input_is_line ? " line " : " record ") +
             std::to_string(a.input_record + 1);  // 1-based, as scan's text and JSON
    }
    tail_text += ctx.size();
    tail.push_back("{\"type\":\"context\",\"elements\":[" + Mrkdwn(ctx) + "]}");
  }

  // 3. Security-group changes.
  const size_t n_changes = a.security_group_changes.size();
  size_t shown = 0;
  if (n_changes > 0) {
    // Blocks left for sections: keep one for a truncation note.
    const size_t max_sections = kMaxBlocks - m.blocks.size() - tail.size() - 1;
    const size_t text_left = kMaxTotalBlockText > total + tail_text + 200
                                 ? kMaxTotalBlockText - total - tail_text - 200
                                 : 0;
    size_t used = 0;
    std::string section = "*Security group changes (" + std::to_string(n_changes) + ")*";
    size_t sections = 0;
    bool full = false;
    for (const alert::SecurityGroupChange& change : a.security_group_changes) {
      std::string line = "\n• " + DescribeSecurityGroupChange(change);
      if (line.size() > kMaxSectionText - 100) line = TruncateMrkdwn(line, kMaxSectionText - 100);
      if (used + section.size() + line.size() > text_left) {
        full = true;
        break;
      }
      if (section.size() + line.size() > kMaxSectionText) {
        if (sections + 1 >= max_sections) {
          full = true;
          break;
        }
        used += section.size();
        m.blocks.push_back("{\"type\":\"section\",\"text\":" + Mrkdwn(section) + "}");
        ++sections;
        section = line.substr(1);  // no leading newline in a new section
      } else {
        section += line;
      }
      ++shown;
    }
    if (shown > 0 || !full) {
      used += section.size();
      m.blocks.push_back("{\"type\":\"section\",\"text\":" + Mrkdwn(section) + "}");
    }
    total += used;
    if (shown < n_changes) {
      m.truncated = true;
      std::string note = std::string(kTruncatedMarker) + ": " + std::to_string(n_changes - shown) +
                         " more security-group rules not shown";
      total += note.size();
      m.blocks.push_back("{\"type\":\"context\",\"elements\":[" + Mrkdwn(note) + "]}");
    }
  }

  for (std::string& block : tail) m.blocks.push_back(std::move(block));
  TW_CHECK(m.blocks.size() <= kMaxBlocks);
  return m;
}

std::string SlackMessageJson(const SlackMessage& message, std::string_view extra_members) {
  std::string out = "{";
  out += extra_members;
  out += "\"text\":" + Quoted(message.text);
  out += ",\"attachments\":[{\"color\":" + Quoted(message.color) + ",\"blocks\":[";
  for (size_t i = 0; i < message.blocks.size(); ++i) {
    if (i > 0) out += ',';
    out += message.blocks[i];
  }
  out += "]}]}";
  return out;
}

}  // namespace tw::sinks::slack
