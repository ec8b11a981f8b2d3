#include "rules/policy_yaml.h"

#include <gtest/gtest.h>

#include "rules/loader.h"
#include "rules/rule_spec.h"

namespace tw::rules {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// Parses `yaml` (a mapping) as a config policy layer ("defaults").
struct Parsed {
  std::optional<PolicyLayer> layer;
  std::vector<Diagnostic> diagnostics;
};
Parsed ParseLayer(const std::string& yaml) {
  Parsed out;
  auto docs = ParseYaml(yaml);
  EXPECT_TRUE(docs.has_value());
  YamlMember member;
  member.first.kind = YamlKind::kScalar;
  member.first.scalar = "defaults";
  member.first.line = 1;
  member.first.column = 1;
  member.second = (*docs)[0];
  YamlChecker checker(yaml, "c.yml", out.diagnostics);
  out.layer = ParsePolicyMapping(checker, member, "`defaults`");
  return out;
}

// The single diagnostic's "line:col: message" and its hint.
std::string One(const std::vector<Diagnostic>& d) {
  if (d.size() != 1) return "expected one diagnostic, got:\n" + FormatDiagnostics(d);
  return d[0].where.ToString() + ": " + d[0].message;
}

TEST(DurationTest, Units) {
  EXPECT_EQ(*ParseDuration("30s"), seconds(30));
  EXPECT_EQ(*ParseDuration("15m"), seconds(900));
  EXPECT_EQ(*ParseDuration("2h"), seconds(7200));
  EXPECT_EQ(*ParseDuration("1d"), seconds(86400));
  EXPECT_EQ(*ParseDuration("1h30m"), seconds(5400));
  EXPECT_EQ(*ParseDuration("0s"), seconds(0));
  EXPECT_FALSE(ParseDuration("15"));
  EXPECT_FALSE(ParseDuration("15 m"));
  EXPECT_FALSE(ParseDuration("m"));
  EXPECT_FALSE(ParseDuration("1w"));
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("-5m"));
  EXPECT_FALSE(ParseDuration("3651d"));
  EXPECT_EQ(ParseDuration("15").error().message,
            "invalid duration `15`: missing a unit (s, m, h or d)");
  EXPECT_EQ(FormatDuration(seconds(900)), "15m");
  EXPECT_EQ(FormatDuration(seconds(5400)), "90m");
  EXPECT_EQ(FormatDuration(seconds(86400)), "1d");
  EXPECT_EQ(FormatDuration(seconds(61)), "61s");
}

TEST(CidrTest, ValidAndInvalid) {
  EXPECT_TRUE(CheckCidr("10.0.0.0/8"));
  EXPECT_TRUE(CheckCidr("0.0.0.0/0"));
  EXPECT_TRUE(CheckCidr("192.0.2.7"));
  EXPECT_TRUE(CheckCidr("192.0.2.7/32"));
  EXPECT_TRUE(CheckCidr("2001:db8::/32"));
  EXPECT_TRUE(CheckCidr("::/0"));
  EXPECT_FALSE(CheckCidr("10.0.0.0/33"));
  EXPECT_FALSE(CheckCidr("10.0.0/8"));
  EXPECT_FALSE(CheckCidr("10.0.0.0/"));
  EXPECT_FALSE(CheckCidr("10.0.0.0/-1"));
  EXPECT_FALSE(CheckCidr("2001:db8::/129"));
  EXPECT_FALSE(CheckCidr("office"));
  EXPECT_EQ(CheckCidr("10.1.2.3/8").error().message,
            "invalid CIDR `10.1.2.3/8`: host bits are set (did you mean `10.0.0.0/8`?)");
  EXPECT_EQ(CheckCidr("2001:db8::1/32").error().message,
            "invalid CIDR `2001:db8::1/32`: host bits are set (did you mean `2001:db8::/32`?)");
}

TEST(PolicyLayerTest, EveryKey) {
  const Parsed p = ParseLayer(R"(enabled: false
severity: critical
schedule: inside_business_hours
suppress:
  - {field: sourceIPAddress, cidr: [10.0.0.0/8, "2001:db8::/32"], name: office}
  - {field: userIdentity.arn, equals: "arn:aws:iam::1:user/ci"}
  - {field: userAgent, in: [a, b]}
  - {field: eventSource, prefix: sso}
  - {field: userIdentity.principalId, regex: "AROA.*:ci-.*"}
dedupe: {window: 2h, key: "{rule_id}|{sourceIPAddress}"}
threshold: {count: 5, window: 10m, group_by: [sourceIPAddress, userIdentity.arn]}
)");
  ASSERT_TRUE(p.layer) << FormatDiagnostics(p.diagnostics);
  const RulePolicy& v = p.layer->values;
  const PolicyKeys& k = p.layer->keys;
  EXPECT_FALSE(v.enabled);
  EXPECT_EQ(v.severity, Severity::kCritical);
  EXPECT_EQ(v.schedule, Schedule::kInsideBusinessHours);
  ASSERT_EQ(v.suppress.size(), 5u);
  EXPECT_EQ(v.suppress[0].field, "sourceIPAddress");
  EXPECT_EQ(v.suppress[0].cidr, (std::vector<std::string>{"10.0.0.0/8", "2001:db8::/32"}));
  EXPECT_EQ(v.suppress[0].name, "office");
  EXPECT_EQ(v.suppress[1].equals, std::vector<std::string>{"arn:aws:iam::1:user/ci"});
  EXPECT_EQ(v.suppress[2].equals, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(v.suppress[3].prefix, std::vector<std::string>{"sso"});
  EXPECT_EQ(v.suppress[4].regex, "AROA.*:ci-.*");
  EXPECT_TRUE(v.dedupe.enabled);
  EXPECT_EQ(v.dedupe.window, hours(2));
  EXPECT_EQ(v.dedupe.key, "{rule_id}|{sourceIPAddress}");
  EXPECT_EQ(v.threshold.count, 5);
  EXPECT_EQ(v.threshold.window, minutes(10));
  EXPECT_EQ(v.threshold.group_by,
            (std::vector<std::string>{"sourceIPAddress", "userIdentity.arn"}));
  EXPECT_TRUE(k.enabled && k.severity && k.schedule && k.suppress && k.dedupe_enabled &&
              k.dedupe_key && k.dedupe_window && k.threshold);
}

TEST(PolicyLayerTest, DedupeFalseSetsOnlyEnabled) {
  const Parsed p = ParseLayer("dedupe: false\n");
  ASSERT_TRUE(p.layer) << FormatDiagnostics(p.diagnostics);
  EXPECT_FALSE(p.layer->values.dedupe.enabled);
  PolicyKeys expected;
  expected.dedupe_enabled = true;
  EXPECT_TRUE(p.layer->keys == expected);
}

TEST(PolicyLayerTest, EmptyLayerKeepsBuiltinDefaults) {
  const Parsed p = ParseLayer("{}\n");
  ASSERT_TRUE(p.layer);
  EXPECT_FALSE(p.layer->keys.Any());
  const RulePolicy defaults;
  EXPECT_TRUE(defaults.enabled);
  EXPECT_TRUE(defaults.dedupe.enabled);
  EXPECT_EQ(defaults.dedupe.window, minutes(15));  // issue 7: the default window is 15 minutes
  EXPECT_EQ(defaults.dedupe.key, "{rule_id}|{actor}|{account_id}|{event_name}");
  EXPECT_EQ(defaults.schedule, Schedule::kAlways);
}

struct BadCase {
  const char* yaml;
  const char* expected;  // "c.yml:line:col: message"
  const char* hint;      // substring of the hint; "" = do not check
};

class PolicyErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(PolicyErrorTest, PositionedDiagnostic) {
  const BadCase& c = GetParam();
  const Parsed p = ParseLayer(c.yaml);
  EXPECT_FALSE(p.layer);
  EXPECT_EQ(One(p.diagnostics), c.expected);
  if (!p.diagnostics.empty()) {
    EXPECT_NE(p.diagnostics[0].hint.find(c.hint), std::string::npos) << p.diagnostics[0].hint;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PolicyErrorTest,
    testing::Values(
        BadCase{"schedul: always\n", "c.yml:1:1: unknown key `schedul` in `defaults`",
                "did you mean `schedule`?"},
        BadCase{"schedule: outside_busines_hours\n",
                "c.yml:1:11: unknown schedule `outside_busines_hours`",
                "did you mean `outside_business_hours`?"},
        BadCase{"severity: hihg\n", "c.yml:1:11: unknown severity `hihg`", "did you mean `high`?"},
        BadCase{"enabled: \"false\"\n", "c.yml:1:10: `enabled` must be true or false",
                "without quotes"},
        BadCase{"enabled: no\n", "c.yml:1:10: `enabled` must be true or false", ""},
        BadCase{"dedupe: {window: 15}\n",
                "c.yml:1:18: invalid duration `15`: missing a unit (s, m, h or d)", "15m"},
        BadCase{"dedupe: {window: 0s}\n", "c.yml:1:18: `window` must be at least 1s", ""},
        BadCase{"dedupe: {windw: 15m}\n", "c.yml:1:10: unknown key `windw` in dedupe mapping",
                "did you mean `window`?"},
        BadCase{"dedupe: [a]\n", "c.yml:1:9: `dedupe` must be false, true or a mapping, not a list",
                ""},
        BadCase{"dedupe: {key: \"{rule_id\"}\n",
                "c.yml:1:15: unclosed `{` at byte 1 of the key template", ""},
        BadCase{"threshold: {count: 5}\n", "c.yml:1:12: threshold is missing required key `window`",
                ""},
        BadCase{"threshold: {count: 0, window: 1m}\n",
                "c.yml:1:20: `count` must be a whole number from 1 to 1000000", ""},
        BadCase{"threshold: {count: five, window: 1m}\n",
                "c.yml:1:20: `count` must be a whole number from 1 to 1000000", ""},
        BadCase{"suppress: {field: a}\n",
                "c.yml:1:11: `suppress` must be a list of conditions, not a mapping", ""},
        BadCase{"suppress:\n  - {field: sourceIPAddress, cidr: [10.0.0.0/8, 10.1.2.3/16]}\n",
                "c.yml:2:49: invalid CIDR `10.1.2.3/16`: host bits are set (did you mean "
                "`10.1.0.0/16`?)",
                ""},
        BadCase{"suppress:\n  - {field: a, cidr: office}\n",
                "c.yml:2:22: invalid CIDR `office`: `office` is not an IPv4 or IPv6 address", ""},
        BadCase{"suppress:\n  - {field: a, regex: \"(ab\"}\n",
                "c.yml:2:23: invalid regex: missing ): (ab", "RE2"},
        BadCase{"suppress:\n  - {field: a}\n", "c.yml:2:5: suppress condition has no test",
                "`equals`"},
        BadCase{"suppress:\n  - {cidr: 10.0.0.0/8}\n",
                "c.yml:2:5: suppress condition is missing required key `field`", ""},
        BadCase{"suppress:\n  - {field: a, equals: x, prefix: y}\n",
                "c.yml:2:27: a suppress condition has one test, not both `equals` and `prefix`",
                ""},
        BadCase{"suppress:\n  - {field: a, in: x}\n",
                "c.yml:2:20: `in` must be a list, not a string", "equals"},
        BadCase{"suppress:\n  - {field: a, equal: x}\n",
                "c.yml:2:16: unknown key `equal` in suppress condition", "did you mean `equals`?"},
        BadCase{"- schedule: always\n", "c.yml:1:1: `defaults` must be a mapping, not a list",
                ""}));

TEST(RuleFilePolicyTest, KeysInARuleFile) {
  const std::string yaml = R"(id: console-login-failure
title: Console sign-in failed
severity: medium
description: d
filter_pattern: '{ $.eventName = ConsoleLogin }'
schedule: outside_business_hours
suppress:
  - {field: sourceIPAddress, cidr: [10.0.0.0/8]}
dedupe: false
)";
  auto rules = LoadRulesFromText(yaml, "r.yml", "");
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 1u);
  const Rule& rule = (*rules)[0];
  EXPECT_EQ(rule.policy.schedule, Schedule::kOutsideBusinessHours);
  ASSERT_EQ(rule.policy.suppress.size(), 1u);
  EXPECT_EQ(rule.policy.suppress[0].cidr, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_FALSE(rule.policy.dedupe.enabled);
  EXPECT_TRUE(rule.policy_keys.schedule && rule.policy_keys.suppress &&
              rule.policy_keys.dedupe_enabled && !rule.policy_keys.threshold &&
              !rule.policy_keys.enabled);
}

TEST(RuleFilePolicyTest, RuleWithoutPolicyKeysSetsNone) {
  auto rules = LoadRulesFromText(
      "id: r\ntitle: t\nseverity: low\ndescription: d\nfilter_pattern: '{ $.a = 1 }'\n", "r.yml",
      "");
  ASSERT_TRUE(rules) << rules.error().message;
  EXPECT_FALSE((*rules)[0].policy_keys.Any());
  EXPECT_TRUE((*rules)[0].policy == RulePolicy{});
}

TEST(RuleFilePolicyTest, ErrorsArePositionedInTheRuleFile) {
  const std::string yaml = R"(id: r
title: t
severity: low
description: d
filter_pattern: '{ $.a = 1 }'
schedul: always
threshold: {count: 3, window: 5}
)";
  const ParsedRuleFile parsed = ParseRuleFile(yaml, "r.yml", "");
  ASSERT_EQ(parsed.diagnostics.size(), 2u) << FormatDiagnostics(parsed.diagnostics);
  EXPECT_EQ(parsed.diagnostics[0].where.ToString(), "r.yml:6:1");
  EXPECT_EQ(parsed.diagnostics[0].hint, "did you mean `schedule`?");
  EXPECT_EQ(parsed.diagnostics[1].where.ToString(), "r.yml:7:31");
  EXPECT_EQ(parsed.diagnostics[1].message, "invalid duration `5`: missing a unit (s, m, h or d)");
}

TEST(ResolvePolicyTest, LayersWinKeyByKey) {
  // defaults: dedupe window 1h, schedule outside; rule: schedule inside; override: dedupe false.
  PolicyLayer defaults;
  defaults.values.dedupe.window = hours(1);
  defaults.keys.dedupe_window = true;
  defaults.values.schedule = Schedule::kOutsideBusinessHours;
  defaults.keys.schedule = true;
  RulePolicy rule;
  PolicyKeys rule_keys;
  rule.schedule = Schedule::kInsideBusinessHours;
  rule_keys.schedule = true;
  PolicyLayer override_layer;
  override_layer.values.dedupe.enabled = false;
  override_layer.keys.dedupe_enabled = true;

  const RulePolicy without = ResolvePolicy(defaults, rule, rule_keys, nullptr);
  EXPECT_EQ(without.schedule, Schedule::kInsideBusinessHours);
  EXPECT_EQ(without.dedupe.window, hours(1));
  EXPECT_TRUE(without.dedupe.enabled);

  const RulePolicy with = ResolvePolicy(defaults, rule, rule_keys, &override_layer);
  EXPECT_FALSE(with.dedupe.enabled);
  EXPECT_EQ(with.dedupe.window, hours(1));  // the override set only `enabled`
  EXPECT_EQ(with.schedule, Schedule::kInsideBusinessHours);
}

}  // namespace
}  // namespace tw::rules
