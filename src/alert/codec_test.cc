#include "alert/codec.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

Alert Full() {
  Alert a;
  a.id = "0123456789abcdef0123456789abcdef";
  a.rule_id = "security-group-exposed";
  a.rule_title = "Security group opened to the internet";
  a.severity = rules::Severity::kCritical;
  a.event_id = "9fd68588-ecbf-4528-a345-199fa6bb0821";
  a.event_name = "AuthorizeSecurityGroupIngress";
  a.event_source = "ec2.amazonaws.com";
  a.event_time = "2024-08-01T12:23:55Z";
  a.aws_region = "us-east-1";
  a.account_id = "032092706103";
  a.actor = "christophe";
  a.source_ip = "2001:db8::1";
  a.user_agent = "aws-cli/2";
  a.error_code = "Client.UnauthorizedOperation";
  a.error_message = "You are not authorized";
  a.record_json = R"({"eventName":"AuthorizeSecurityGroupIngress","x":"a\"b\\c\n"})";
  a.input_file = "s3://bucket/AWSLogs/x.json.gz";
  a.input_record = 18446744073709551615ull;
  a.input_is_line = true;
  a.actor_email = "c@example.com";
  a.account_name = "sandbox";
  a.local_time = "2024-08-01 21:23:55 KST";
  a.console_url =
      "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/x";
  SecurityGroupChange c;
  c.action = "added";
  c.direction = "ingress";
  c.group = "sg-1 (web)";
  c.protocol = "tcp";
  c.from_port = 0;
  c.to_port = 65535;
  c.peer = "::/0";
  c.description = "everything";
  c.vpc = "vpc-1";
  a.security_group_changes = {c, SecurityGroupChange{}};
  a.dedupe_key = "security-group-exposed|christophe|032092706103|AuthorizeSecurityGroupIngress";
  a.dedupe_count = 7;
  a.suppressed = true;
  a.suppressed_by = "sourceIPAddress cidr 10.0.0.0/8";
  a.threshold_count = 5;
  a.dedupe_parent_id = "fedcba9876543210fedcba9876543210";
  a.notes = {"schedule: eventTime \"x\" does not parse; kept (fail open)", ""};
  return a;
}

void ExpectSame(const Alert& x, const Alert& y) {
  EXPECT_EQ(EncodeAlert(x), EncodeAlert(y));
  EXPECT_EQ(x.id, y.id);
  EXPECT_EQ(x.rule_id, y.rule_id);
  EXPECT_EQ(x.severity, y.severity);
  EXPECT_EQ(x.record_json, y.record_json);
  EXPECT_EQ(x.input_record, y.input_record);
  EXPECT_EQ(x.input_is_line, y.input_is_line);
  ASSERT_EQ(x.security_group_changes.size(), y.security_group_changes.size());
  for (size_t i = 0; i < x.security_group_changes.size(); ++i) {
    const auto& a = x.security_group_changes[i];
    const auto& b = y.security_group_changes[i];
    EXPECT_EQ(a.action, b.action);
    EXPECT_EQ(a.direction, b.direction);
    EXPECT_EQ(a.group, b.group);
    EXPECT_EQ(a.protocol, b.protocol);
    EXPECT_EQ(a.from_port, b.from_port);
    EXPECT_EQ(a.to_port, b.to_port);
    EXPECT_EQ(a.peer, b.peer);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.vpc, b.vpc);
  }
  EXPECT_EQ(x.dedupe_key, y.dedupe_key);
  EXPECT_EQ(x.dedupe_count, y.dedupe_count);
  EXPECT_EQ(x.suppressed, y.suppressed);
  EXPECT_EQ(x.suppressed_by, y.suppressed_by);
  EXPECT_EQ(x.threshold_count, y.threshold_count);
  EXPECT_EQ(x.dedupe_parent_id, y.dedupe_parent_id);
  EXPECT_EQ(x.notes, y.notes);
}

TEST(AlertCodec, RoundTripsEveryField) {
  const Alert a = Full();
  auto back = DecodeAlert(EncodeAlert(a));
  ASSERT_TRUE(back.has_value()) << back.error().message;
  ExpectSame(a, *back);
  // Spot checks that are not just "encode equals encode".
  EXPECT_EQ(back->security_group_changes[0].to_port, 65535);
  EXPECT_EQ(back->security_group_changes[1].from_port, -1);
  EXPECT_EQ(back->local_time, "2024-08-01 21:23:55 KST");
  EXPECT_EQ(back->actor_email, "c@example.com");
}

TEST(AlertCodec, DefaultAlertRoundTrips) {
  auto back = DecodeAlert(EncodeAlert(Alert{}));
  ASSERT_TRUE(back.has_value());
  ExpectSame(Alert{}, *back);
  EXPECT_EQ(back->dedupe_count, 1u);
}

TEST(AlertCodec, HostileStrings) {
  Alert a;
  // Quotes, backslashes, every C0 control, DEL, a C1 control (U+009B CSI), U+2028, an emoji,
  // and Slack control sequences: all valid UTF-8, so all must come back byte for byte.
  std::string hostile = "\"quoted\" \\ back <!channel> <https://evil.example|click> ";
  for (int c = 0; c < 0x20; ++c) hostile += static_cast<char>(c);
  hostile += "\x7f \xc2\x9b \xe2\x80\xa8 \xf0\x9f\x94\xa5 \x1b[31mred";
  a.actor = hostile;
  a.user_agent = hostile;
  a.record_json = "{\"userAgent\":\"" + std::string("\\u0000\\\"") + "\"}";
  a.notes = {hostile};
  SecurityGroupChange c;
  c.description = hostile;
  a.security_group_changes = {c};
  const std::string encoded = EncodeAlert(a);
  // The payload is one line of JSON: no raw control character survives the encoding.
  for (char ch : encoded) EXPECT_GE(static_cast<unsigned char>(ch), 0x20) << encoded;
  auto back = DecodeAlert(encoded);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->actor, hostile);
  EXPECT_EQ(back->user_agent, hostile);
  EXPECT_EQ(back->record_json, a.record_json);
  EXPECT_EQ(back->notes[0], hostile);
  EXPECT_EQ(back->security_group_changes[0].description, hostile);
}

TEST(AlertCodec, InvalidUtf8BecomesReplacementCharacter) {
  Alert a;
  a.actor = std::string(
      "ok\xff\xfe"
      "end\xc3");  // two stray bytes, then a truncated sequence
  auto back = DecodeAlert(EncodeAlert(a));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->actor,
            "ok\xef\xbf\xbd\xef\xbf\xbd"
            "end\xef\xbf\xbd");
}

TEST(AlertCodec, RejectsWhatItCannotRead) {
  EXPECT_EQ(DecodeAlert("").error().code, ErrorCode::kParse);
  EXPECT_EQ(DecodeAlert("[]").error().code, ErrorCode::kParse);
  EXPECT_FALSE(DecodeAlert(R"({"id":"x"})").has_value());        // no version
  EXPECT_FALSE(DecodeAlert(R"({"v":2,"id":"x"})").has_value());  // a future version
  EXPECT_FALSE(DecodeAlert(R"({"v":1,"id":5})").has_value());    // wrong type
  EXPECT_FALSE(DecodeAlert(R"({"v":1,"severity":"urgent"})").has_value());
  EXPECT_FALSE(DecodeAlert(R"({"v":1,"dedupe_count":-1})").has_value());
  EXPECT_FALSE(DecodeAlert(R"({"v":1,"security_group_changes":[{"from_port":"22"}]})").has_value());
  // Unknown keys are ignored (a newer writer); missing keys keep the defaults.
  auto a = DecodeAlert(R"({"v":1,"rule_id":"r","future_field":{"x":1}})");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->rule_id, "r");
  EXPECT_EQ(a->dedupe_count, 1u);
}

}  // namespace
}  // namespace tw::alert
