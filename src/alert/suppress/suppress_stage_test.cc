#include "alert/suppress/suppress_stage.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

// A console sign-in failure shaped like the corpus's (aws-docs "Failed authentication").
constexpr const char* kRecord =
    R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE",)"
    R"("accountId":"111122223333","userName":"alice","arn":"arn:aws:iam::111122223333:user/ops/alice"},)"
    R"("eventTime":"2026-12-01T01:00:00Z","eventSource":"signin.amazonaws.com",)"
    R"("eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"%IP%",)"
    R"("userAgent":"Mozilla/5.0","errorMessage":"Failed authentication",)"
    R"("responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No"},)"
    R"("resources":[{"ARN":"arn:aws:iam::111122223333:user/a"},{"ARN":"arn:aws:iam::111122223333:role/b"}],)"
    R"("eventID":"e1","recipientAccountId":"111122223333"})";

Alert FromIp(const std::string& ip, const std::string& rule = "console-login-failure") {
  Alert a;
  a.rule_id = rule;
  a.actor = "alice";
  a.record_json = kRecord;
  a.record_json.replace(a.record_json.find("%IP%"), 4, ip);
  return a;
}

// Runs `alerts` through a stage whose every rule has `conditions`; returns suppressed_by per
// alert ("" when not suppressed).
std::vector<std::string> SuppressAll(const std::vector<rules::SuppressCondition>& conditions,
                                     std::vector<Alert> alerts) {
  rules::RulePolicy p;
  p.suppress = conditions;
  auto stage = SuppressStage::Create(PolicyTable::Uniform(p));
  EXPECT_TRUE(stage.has_value()) << (stage ? "" : stage.error().message);
  if (!stage) return {};
  FakeClock clock;
  EXPECT_TRUE((*stage)->Process(alerts, StageContext{clock, nullptr}).has_value());
  std::vector<std::string> out;
  for (const auto& a : alerts) {
    EXPECT_EQ(a.suppressed, !a.suppressed_by.empty());
    out.push_back(a.suppressed_by);
  }
  return out;
}

rules::SuppressCondition Cidr(std::vector<std::string> blocks) {
  rules::SuppressCondition c;
  c.field = "sourceIPAddress";
  c.cidr = std::move(blocks);
  return c;
}

TEST(SuppressStage, SourceIpAllowlistIPv4) {
  // The seed's example: login failures from the office network 10.0.0.0/8 are suppressed.
  const auto got = SuppressAll({Cidr({"10.0.0.0/8"})},
                               {FromIp("10.1.2.3"), FromIp("10.255.255.255"), FromIp("11.0.0.1"),
                                FromIp("9.255.255.255"), FromIp("AWS Internal"), FromIp("")});
  EXPECT_EQ(got, (std::vector<std::string>{"sourceIPAddress cidr 10.0.0.0/8",
                                           "sourceIPAddress cidr 10.0.0.0/8", "", "", "", ""}));
}

TEST(SuppressStage, SourceIpAllowlistIPv6) {
  const auto got =
      SuppressAll({Cidr({"2001:db8::/32", "192.0.2.0/24"})},
                  {FromIp("2001:db8:ffff::1"), FromIp("2001:db9::1"), FromIp("192.0.2.200")});
  EXPECT_NE(got[0], "");
  EXPECT_EQ(got[1], "");
  EXPECT_NE(got[2], "");
}

TEST(SuppressStage, EqualsInPrefixRegex) {
  rules::SuppressCondition eq;
  eq.field = "userIdentity.userName";
  eq.equals = {"bob", "alice"};
  eq.name = "break-glass users";
  EXPECT_EQ(SuppressAll({eq}, {FromIp("1.2.3.4")}),
            (std::vector<std::string>{"break-glass users"}));

  rules::SuppressCondition pre;
  pre.field = "userIdentity.arn";
  pre.prefix = {"arn:aws:iam::111122223333:user/ops/"};
  EXPECT_EQ(SuppressAll({pre}, {FromIp("1.2.3.4")})[0],
            "userIdentity.arn prefix arn:aws:iam::111122223333:user/ops/");
  pre.prefix = {"arn:aws:iam::111122223333:user/dev/"};
  EXPECT_EQ(SuppressAll({pre}, {FromIp("1.2.3.4")})[0], "");

  rules::SuppressCondition re;
  re.field = "userAgent";
  re.regex = "Mozilla/[0-9.]+";  // full match: the whole value
  EXPECT_NE(SuppressAll({re}, {FromIp("1.2.3.4")})[0], "");
  re.regex = "Mozilla";  // only a part of "Mozilla/5.0": no full match
  EXPECT_EQ(SuppressAll({re}, {FromIp("1.2.3.4")})[0], "");
}

TEST(SuppressStage, AlertFieldsArraysAndAbsentFields) {
  rules::SuppressCondition actor;
  actor.field = "actor";  // an Alert field
  actor.equals = {"alice"};
  EXPECT_NE(SuppressAll({actor}, {FromIp("1.2.3.4")})[0], "");

  rules::SuppressCondition arn;
  arn.field = "resources.ARN";  // crosses an array: any element
  arn.regex = ".*:role/b";
  EXPECT_NE(SuppressAll({arn}, {FromIp("1.2.3.4")})[0], "");

  rules::SuppressCondition missing;
  missing.field = "userIdentity.sessionContext.sourceIdentity";
  missing.regex = ".*";
  EXPECT_EQ(SuppressAll({missing}, {FromIp("1.2.3.4")})[0], "");
}

TEST(SuppressStage, FirstMatchingConditionNamesTheSuppression) {
  rules::SuppressCondition eq;
  eq.field = "eventName";
  eq.equals = {"ConsoleLogin"};
  const auto got = SuppressAll({Cidr({"10.0.0.0/8"}), eq}, {FromIp("10.0.0.1"), FromIp("8.8.8.8")});
  EXPECT_EQ(got[0], "sourceIPAddress cidr 10.0.0.0/8");
  EXPECT_EQ(got[1], "eventName equals ConsoleLogin");
}

TEST(SuppressStage, OnlyTheRulesOwnConditions) {
  rules::RulePolicy office;
  office.suppress = {Cidr({"10.0.0.0/8"})};
  auto table = PolicyTable::Create(
      {}, {{"console-login-failure", office}, {"authorization-failure", rules::RulePolicy{}}});
  ASSERT_TRUE(table.has_value());
  auto stage = SuppressStage::Create(*table);
  ASSERT_TRUE(stage.has_value());
  std::vector<Alert> alerts{FromIp("10.0.0.1"), FromIp("10.0.0.1", "authorization-failure")};
  FakeClock clock;
  ASSERT_TRUE((*stage)->Process(alerts, StageContext{clock, nullptr}).has_value());
  ASSERT_EQ(alerts.size(), 2u);  // suppressed alerts are kept
  EXPECT_TRUE(alerts[0].suppressed);
  EXPECT_FALSE(alerts[1].suppressed);
  EXPECT_EQ((*stage)->suppressed(), 1u);
}

TEST(SuppressStage, RejectsBadConditions) {
  auto create = [](rules::SuppressCondition c) {
    rules::RulePolicy p;
    p.suppress = {std::move(c)};
    return SuppressStage::Create(PolicyTable::Uniform(p));
  };
  EXPECT_FALSE(create(Cidr({"10.0.0.0/33"})).has_value());
  EXPECT_FALSE(create(Cidr({"office"})).has_value());
  rules::SuppressCondition none;
  none.field = "sourceIPAddress";
  EXPECT_FALSE(create(none).has_value());
  rules::SuppressCondition two = Cidr({"10.0.0.0/8"});
  two.prefix = {"10."};
  EXPECT_FALSE(create(two).has_value());
  rules::SuppressCondition re;
  re.field = "userAgent";
  re.regex = "(unclosed";
  auto r = create(re);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("regex"), std::string::npos);
}

}  // namespace
}  // namespace tw::alert
