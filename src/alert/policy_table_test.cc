#include "alert/policy_table.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

using std::chrono::minutes;

TEST(PolicyTable, PerRuleAndFallback) {
  rules::RulePolicy fallback;
  fallback.dedupe.window = minutes(5);
  rules::RulePolicy outside = fallback;
  outside.schedule = rules::Schedule::kOutsideBusinessHours;
  auto table = PolicyTable::Create(
      fallback, {{"authorization-failure", outside}, {"console-login-failure", fallback}});
  ASSERT_TRUE(table.has_value());
  EXPECT_EQ((*table)->For("authorization-failure").schedule,
            rules::Schedule::kOutsideBusinessHours);
  EXPECT_EQ((*table)->For("console-login-failure").schedule, rules::Schedule::kAlways);
  EXPECT_EQ((*table)->For("not-loaded").dedupe.window, minutes(5));
  EXPECT_EQ(PolicyTable::Uniform(outside)->For("x").schedule,
            rules::Schedule::kOutsideBusinessHours);
}

TEST(PolicyTable, RejectsPoliciesThatCannotRun) {
  rules::RulePolicy no_window;
  no_window.threshold.count = 5;
  auto r = PolicyTable::Create({}, {{"console-login-failure", no_window}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("console-login-failure"), std::string::npos);
  rules::RulePolicy negative;
  negative.threshold.count = -1;
  negative.threshold.window = minutes(1);
  EXPECT_FALSE(PolicyTable::Create(negative, {}).has_value());
  rules::RulePolicy zero;
  zero.dedupe.window = std::chrono::seconds(0);
  EXPECT_FALSE(PolicyTable::Create(zero, {}).has_value());
  zero.dedupe.enabled = false;  // a zero window is fine when dedupe is off
  EXPECT_TRUE(PolicyTable::Create(zero, {}).has_value());
}

}  // namespace
}  // namespace tw::alert
