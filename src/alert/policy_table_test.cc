#include "alert/policy_table.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

using std::chrono::minutes;

TEST(ResolvePolicy, BuiltInDefaults) {
  const rules::RulePolicy p = ResolvePolicy({}, {}, {});
  EXPECT_TRUE(p.enabled);
  EXPECT_EQ(p.schedule, rules::Schedule::kAlways);
  EXPECT_TRUE(p.dedupe.enabled);
  EXPECT_EQ(p.dedupe.key, "{rule_id}|{actor}|{account_id}|{event_name}");
  EXPECT_EQ(p.dedupe.window, minutes(15));
  EXPECT_EQ(p.threshold.count, 0);
  EXPECT_TRUE(p.suppress.empty());
}

TEST(ResolvePolicy, LaterLayersWinKeyByKey) {
  rules::PolicyPatch defaults;
  defaults.dedupe_window = minutes(30);
  defaults.schedule = rules::Schedule::kInsideBusinessHours;
  rules::PolicyPatch own;  // the rule's YAML
  own.schedule = rules::Schedule::kOutsideBusinessHours;
  own.threshold_count = 5;
  own.threshold_window = minutes(10);
  own.threshold_group_by = std::vector<std::string>{"sourceIPAddress"};
  rules::SuppressCondition office;
  office.field = "sourceIPAddress";
  office.cidr = {"10.0.0.0/8"};
  own.suppress = std::vector<rules::SuppressCondition>{office};
  rules::PolicyPatch over;
  over.threshold_count = 3;
  over.severity = rules::Severity::kHigh;
  over.dedupe_enabled = false;
  rules::SuppressCondition vpn = office;
  vpn.cidr = {"172.16.0.0/12"};
  over.suppress = std::vector<rules::SuppressCondition>{vpn};

  const rules::RulePolicy p = ResolvePolicy(defaults, own, over);
  EXPECT_EQ(p.schedule, rules::Schedule::kOutsideBusinessHours);  // own beats defaults
  EXPECT_EQ(p.dedupe.window, minutes(30));                          // defaults beat built-in
  EXPECT_FALSE(p.dedupe.enabled);                                   // override
  EXPECT_EQ(p.threshold.count, 3);                                  // override beats own
  EXPECT_EQ(p.threshold.window, minutes(10));                       // own, untouched
  EXPECT_EQ(p.threshold.group_by, std::vector<std::string>{"sourceIPAddress"});
  ASSERT_EQ(p.suppress.size(), 1u);  // replaced whole, not appended
  EXPECT_EQ(p.suppress[0].cidr, std::vector<std::string>{"172.16.0.0/12"});
  EXPECT_EQ(p.severity, rules::Severity::kHigh);
}

TEST(PolicyTable, PerRuleAndFallback) {
  rules::PolicyPatch defaults;
  defaults.dedupe_window = minutes(5);
  rules::PolicyPatch outside;
  outside.schedule = rules::Schedule::kOutsideBusinessHours;
  auto table = PolicyTable::Build({"authorization-failure", "console-login-failure"}, defaults,
                                  {}, {{"authorization-failure", outside}});
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ((*table)->For("authorization-failure").schedule,
            rules::Schedule::kOutsideBusinessHours);
  EXPECT_EQ((*table)->For("authorization-failure").dedupe.window, minutes(5));
  EXPECT_EQ((*table)->For("console-login-failure").schedule, rules::Schedule::kAlways);
  EXPECT_EQ((*table)->For("not-loaded").dedupe.window, minutes(5));
}

TEST(PolicyTable, RejectsTyposAndInvalidPolicies) {
  rules::PolicyPatch p;
  p.enabled = false;
  auto typo = PolicyTable::Build({"authorization-failure"}, {}, {}, {{"authorisation-failure", p}});
  ASSERT_FALSE(typo.has_value());
  EXPECT_NE(typo.error().message.find("authorisation-failure"), std::string::npos);

  rules::PolicyPatch no_window;
  no_window.threshold_count = 5;
  EXPECT_FALSE(PolicyTable::Build({"r"}, {}, {{"r", no_window}}, {}).has_value());
  rules::PolicyPatch zero;
  zero.dedupe_window = std::chrono::seconds(0);
  EXPECT_FALSE(PolicyTable::Build({"r"}, zero, {}, {}).has_value());
  zero.dedupe_enabled = false;  // a zero window is fine when dedupe is off
  EXPECT_TRUE(PolicyTable::Build({"r"}, zero, {}, {}).has_value());
}

}  // namespace
}  // namespace tw::alert
