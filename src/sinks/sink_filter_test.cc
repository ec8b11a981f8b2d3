#include "sinks/sink_filter.h"

#include <gtest/gtest.h>

namespace tw::sinks {
namespace {

alert::Alert Make(std::string rule, rules::Severity severity) {
  alert::Alert a;
  a.rule_id = std::move(rule);
  a.severity = severity;
  return a;
}

TEST(SinkFilterTest, EmptyFilterAcceptsEverything) {
  SinkFilter f;
  EXPECT_TRUE(f.Accepts(Make("x", rules::Severity::kInfo)));
}

TEST(SinkFilterTest, MinSeverityIsInclusive) {
  SinkFilter f;
  f.min_severity = rules::Severity::kHigh;
  EXPECT_FALSE(f.Accepts(Make("x", rules::Severity::kMedium)));
  EXPECT_TRUE(f.Accepts(Make("x", rules::Severity::kHigh)));
  EXPECT_TRUE(f.Accepts(Make("x", rules::Severity::kCritical)));
}

TEST(SinkFilterTest, IncludeAndExcludeLists) {
  SinkFilter f;
  f.rules = {"a", "b"};
  f.exclude_rules = {"b"};
  EXPECT_TRUE(f.Accepts(Make("a", rules::Severity::kInfo)));
  EXPECT_FALSE(f.Accepts(Make("b", rules::Severity::kInfo)));  // exclude wins
  EXPECT_FALSE(f.Accepts(Make("c", rules::Severity::kInfo)));
  SinkFilter only_exclude;
  only_exclude.exclude_rules = {"c"};
  EXPECT_TRUE(only_exclude.Accepts(Make("a", rules::Severity::kInfo)));
  EXPECT_FALSE(only_exclude.Accepts(Make("c", rules::Severity::kInfo)));
}

}  // namespace
}  // namespace tw::sinks
