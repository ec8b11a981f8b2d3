#include "sinks/slack/block_kit.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "sinks/slack/mrkdwn.h"
#include "sinks/slack/test_alert.h"

namespace tw::sinks::slack {
namespace {

using testing::SampleAlert;

// The message as Slack would parse it, with every text object collected.
struct Parsed {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string json;
  std::string text;
  std::string color;
  std::vector<std::string> block_types;
  std::vector<std::string> header_texts, section_texts, field_texts, context_texts, button_texts,
      button_urls;
  std::vector<size_t> fields_per_section;
  size_t total_text = 0;
};

std::string Str(simdjson::dom::element e) {
  std::string_view v;
  EXPECT_EQ(e.get(v), simdjson::SUCCESS);
  return std::string(v);
}

void ParseInto(const std::string& json, Parsed& p) {
  p.json = json;
  ASSERT_EQ(p.parser.parse(p.json).get(p.root), simdjson::SUCCESS) << json;
  p.text = Str(p.root["text"]);
  simdjson::dom::array attachments;
  ASSERT_EQ(p.root["attachments"].get(attachments), simdjson::SUCCESS);
  ASSERT_EQ(attachments.size(), 1u);
  p.color = Str(attachments.at(0)["color"]);
  simdjson::dom::array blocks;
  ASSERT_EQ(attachments.at(0)["blocks"].get(blocks), simdjson::SUCCESS);
  for (simdjson::dom::element b : blocks) {
    const std::string type = Str(b["type"]);
    p.block_types.push_back(type);
    if (type == "header") {
      EXPECT_EQ(Str(b["text"]["type"]), "plain_text");
      p.header_texts.push_back(Str(b["text"]["text"]));
      p.total_text += p.header_texts.back().size();
    } else if (type == "section") {
      simdjson::dom::array fields;
      if (b["fields"].get(fields) == simdjson::SUCCESS) {
        p.fields_per_section.push_back(fields.size());
        for (simdjson::dom::element f : fields) {
          p.field_texts.push_back(Str(f["text"]));
          p.total_text += p.field_texts.back().size();
        }
      } else {
        p.section_texts.push_back(Str(b["text"]["text"]));
        p.total_text += p.section_texts.back().size();
      }
    } else if (type == "context") {
      simdjson::dom::array elements;
      ASSERT_EQ(b["elements"].get(elements), simdjson::SUCCESS);
      EXPECT_LE(elements.size(), 10u);
      for (simdjson::dom::element e : elements) {
        p.context_texts.push_back(Str(e["text"]));
        p.total_text += p.context_texts.back().size();
      }
    } else if (type == "actions") {
      for (simdjson::dom::element e : b["elements"].get_array()) {
        p.button_texts.push_back(Str(e["text"]["text"]));
        p.button_urls.push_back(Str(e["url"]));
      }
    }
  }
}

std::string FieldText(const Parsed& p, std::string_view label) {
  const std::string prefix = "*" + std::string(label) + "*\n";
  for (const std::string& f : p.field_texts) {
    if (f.starts_with(prefix)) return f.substr(prefix.size());
  }
  return "<missing>";
}

TEST(BlockKitTest, LayoutOfATypicalAlert) {
  Parsed p;
  ParseInto(SlackMessageJson(BuildSlackMessage(SampleAlert())), p);
  EXPECT_EQ(p.text, "HIGH: Console sign-in failure: ConsoleLogin by alice in 111122223333");
  EXPECT_EQ(p.color, "#e01e5a");
  ASSERT_EQ(p.block_types, (std::vector<std::string>{"header", "section", "actions", "context"}));
  EXPECT_EQ(p.header_texts[0], "HIGH · Console sign-in failure");
  EXPECT_EQ(FieldText(p, "Event"), "`ConsoleLogin` (`signin.amazonaws.com`)");
  EXPECT_EQ(FieldText(p, "Time"), "`2026-11-30 23:05:09 KST`");  // local time wins
  EXPECT_EQ(FieldText(p, "Source IP"), "`198.51.100.7`");
  EXPECT_EQ(FieldText(p, "Actor"), "`alice`");
  EXPECT_EQ(FieldText(p, "Account"), "`111122223333` (`prod`)");
  EXPECT_EQ(FieldText(p, "Region"), "`ap-northeast-2`");
  EXPECT_EQ(FieldText(p, "Error"), "—: `Failed authentication`");
  EXPECT_EQ(FieldText(p, "Count"), "<missing>");
  ASSERT_EQ(p.button_urls.size(), 1u);
  EXPECT_EQ(p.button_urls[0], SampleAlert().console_url);
  EXPECT_EQ(p.button_texts[0], "Open in CloudTrail console");
  EXPECT_EQ(p.context_texts[0],
            "rule `console-login-failure` · alert `a1b2c3d4e5f60718` · `incoming/a.json.gz` "
            "record 4");  // input_record 3 is 0-based; people count from 1
}

TEST(BlockKitTest, EventTimeWhenNoLocalTimeAndCounts) {
  alert::Alert a = SampleAlert();
  a.local_time.clear();
  a.dedupe_count = 5;
  a.severity = rules::Severity::kCritical;
  Parsed p;
  ParseInto(SlackMessageJson(BuildSlackMessage(a)), p);
  EXPECT_EQ(FieldText(p, "Time"), "`2026-11-30T14:05:09Z`");
  EXPECT_EQ(FieldText(p, "Count"), "5 events (repeats folded)");
  EXPECT_EQ(p.color, "#8b0000");
  EXPECT_EQ(p.header_texts[0], "CRITICAL · Console sign-in failure");
  a.threshold_count = 7;
  Parsed t;
  ParseInto(SlackMessageJson(BuildSlackMessage(a)), t);
  EXPECT_EQ(FieldText(t, "Count"), "7 events in the window");
}

TEST(BlockKitTest, HostileValuesAreShownNotActedOn) {
  alert::Alert a = SampleAlert();
  a.actor = "<!channel>";
  a.user_agent = "<https://evil.example|click>";
  a.source_ip = "1.2.3.4\n<!here>";
  a.error_code = "A&B";
  a.error_message = "*bold* _it_ ~s~ `code` <@U123>";
  a.account_name = "\x1b[31mred";
  a.event_name = "<#C123>";
  Parsed p;
  ParseInto(SlackMessageJson(BuildSlackMessage(a)), p);
  EXPECT_EQ(FieldText(p, "Actor"), "`&lt;!channel&gt;`");
  EXPECT_EQ(FieldText(p, "User agent"), "`&lt;https://evil.example|click&gt;`");
  EXPECT_EQ(FieldText(p, "Source IP"), "`1.2.3.4\\x0a&lt;!here&gt;`");
  EXPECT_EQ(FieldText(p, "Error"),
            "`A&amp;B`: `*bold* _it_ ~s~ \xCB\x8B"
            "code\xCB\x8B &lt;@U123&gt;`");
  EXPECT_EQ(FieldText(p, "Account"), "`111122223333` (`\\x1b[31mred`)");
  EXPECT_EQ(p.text,
            "HIGH: Console sign-in failure: &lt;#C123&gt; by &lt;!channel&gt; in "
            "111122223333");
  // No Slack control sequence survives anywhere in the message's texts.
  for (const auto* list : {&p.field_texts, &p.section_texts, &p.context_texts}) {
    for (const std::string& t : *list) EXPECT_EQ(t.find('<'), std::string::npos) << t;
  }
  EXPECT_EQ(p.text.find('<'), std::string::npos);
}

TEST(BlockKitTest, SecurityGroupChanges) {
  alert::Alert a = SampleAlert();
  a.security_group_changes = {
      {"added", "ingress", "sg-0123", "tcp", 22, 22, "0.0.0.0/0", "ssh from anywhere"},
      {"added", "ingress", "sg-0123", "-1", -1, -1, "::/0", ""},
      {"removed", "egress", "sg-0123", "udp", 1000, 2000, "sg-0456", ""},
      {"group created", "", "sg-0789 (web)", "", -1, -1, "", "web tier"},
  };
  Parsed p;
  ParseInto(SlackMessageJson(BuildSlackMessage(a)), p);
  ASSERT_EQ(p.section_texts.size(), 1u);
  EXPECT_EQ(p.section_texts[0],
            "*Security group changes (4)*\n"
            "• added ingress `tcp` port `22` from `0.0.0.0/0` on `sg-0123` (`ssh from anywhere`)\n"
            "• added ingress `all protocols` port `all` from `::/0` on `sg-0123`\n"
            "• removed egress `udp` port `1000-2000` to `sg-0456` on `sg-0123`\n"
            "• group created on `sg-0789 (web)` (`web tier`)");
}

// Slack's documented limits (alerting-and-aws-facts.md §1.5), checked on a message built from
// an alert whose every field is far too long.
TEST(BlockKitTest, OversizedAlertStaysWithinSlackLimits) {
  alert::Alert a = SampleAlert();
  a.rule_title = std::string(5000, 'T');
  a.user_agent = std::string(100'000, 'u');
  a.actor = std::string(3000, '<');  // grows 4x when escaped
  a.error_message = std::string(5000, '&');
  a.account_name = std::string(5000, 'n');
  for (int i = 0; i < 1000; ++i) {
    a.security_group_changes.push_back({"added", "ingress", "sg-" + std::to_string(i), "tcp", i, i,
                                        "10.0.0.0/8", std::string(200, 'd')});
  }
  const SlackMessage m = BuildSlackMessage(a);
  EXPECT_TRUE(m.truncated);
  Parsed p;
  ParseInto(SlackMessageJson(m), p);
  EXPECT_LE(p.block_types.size(), 50u);
  ASSERT_EQ(p.header_texts.size(), 1u);
  EXPECT_LE(p.header_texts[0].size(), 150u);
  EXPECT_TRUE(p.header_texts[0].ends_with("… (truncated)"));
  for (size_t n : p.fields_per_section) EXPECT_LE(n, 10u);
  for (const std::string& f : p.field_texts) EXPECT_LE(f.size(), 2000u);
  for (const std::string& s : p.section_texts) EXPECT_LE(s.size(), 3000u);
  for (const std::string& b : p.button_texts) EXPECT_LE(b.size(), 75u);
  for (const std::string& u : p.button_urls) EXPECT_LE(u.size(), 3000u);
  EXPECT_LE(p.total_text, 12'000u);
  EXPECT_LE(p.text.size(), 3000u);
  EXPECT_NE(FieldText(p, "User agent").find("… (truncated)`"), std::string::npos);
  // The escaped actor is cut between entities, never inside one.
  const std::string actor = FieldText(p, "Actor");
  EXPECT_TRUE(actor.starts_with("`&lt;&lt;"));
  EXPECT_NE(actor.find("&lt; … (truncated)`"), std::string::npos)
      << actor.substr(actor.size() - 40);
  // Every rule shown plus the ones summarised adds up to 1000.
  size_t shown = 0;
  for (const std::string& s : p.section_texts) {
    for (size_t at = s.find("• added"); at != std::string::npos; at = s.find("• added", at + 1)) {
      ++shown;
    }
  }
  ASSERT_FALSE(p.context_texts.empty());
  const std::string note =
      "… (truncated): " + std::to_string(1000 - shown) + " more security-group rules not shown";
  EXPECT_GT(shown, 0u);
  EXPECT_NE(std::find(p.context_texts.begin(), p.context_texts.end(), note), p.context_texts.end());
}

TEST(BlockKitTest, ConsoleUrlTooLongForAButtonIsLeftOut) {
  alert::Alert a = SampleAlert();
  a.console_url = "https://example.com/" + std::string(3000, 'x');
  const SlackMessage m = BuildSlackMessage(a);
  EXPECT_TRUE(m.truncated);
  Parsed p;
  ParseInto(SlackMessageJson(m), p);
  EXPECT_TRUE(p.button_urls.empty());
}

TEST(MrkdwnTest, EscapesOnlyTheThreeControlCharacters) {
  EXPECT_EQ(EscapeMrkdwn("a & b < c > d \"q\" 'x'"), "a &amp; b &lt; c &gt; d \"q\" 'x'");
  EXPECT_EQ(EscapeMrkdwn("tab\there"), "tab\\x09here");
  EXPECT_EQ(EscapeMrkdwn("bad \xff byte"), "bad \xEF\xBF\xBD byte");
}

TEST(MrkdwnTest, TruncationRespectsUtf8AndEntities) {
  // "é" is 2 bytes; cutting in its middle must back off.
  const std::string s = std::string(30, 'a') + "é" + std::string(40, 'b');
  // The marker "… (truncated)" is 15 bytes, plus a space: 47 leaves 31 bytes, which ends
  // inside "é" (bytes 30-31), so the cut backs off to 30; 48 leaves 32, which holds it.
  EXPECT_EQ(TruncateMrkdwn(s, 47), std::string(30, 'a') + " … (truncated)");
  EXPECT_EQ(TruncateMrkdwn(s, 48), std::string(30, 'a') + "é … (truncated)");
  const std::string entity = std::string(28, 'a') + "&amp;" + std::string(40, 'b');
  EXPECT_EQ(TruncateMrkdwn(entity, 47), std::string(28, 'a') + " … (truncated)");
  EXPECT_EQ(TruncateMrkdwn("short", 47), "short");
}

}  // namespace
}  // namespace tw::sinks::slack
