#include "alert/enrich/enricher.h"

#include <gtest/gtest.h>

#include "alert/alert_id.h"
#include "alert/testing/corpus.h"
#include "common/clock.h"

namespace tw::alert {
namespace {

using testing::CorpusLine;

rules::GlobalPolicy Seoul() {
  rules::GlobalPolicy g;
  g.timezone = "Asia/Seoul";
  g.account_names = {{"123456789012", "prod"}, {"032092706103", "sandbox"}};
  return g;
}

Alert Enriched(const std::string& record, const rules::GlobalPolicy& g = Seoul()) {
  auto enricher = Enricher::Create(g);
  EXPECT_TRUE(enricher.has_value());
  Alert a;
  a.rule_id = "r";
  a.record_json = record;
  (*enricher)->Enrich(a);
  return a;
}

TEST(CloudTrailEventUrl, RegionAwareForm) {
  // alerting-and-aws-facts.md §4 "Event link".
  EXPECT_EQ(CloudTrailEventUrl("eu-west-1", "9fd68588-ecbf-4528-a345-199fa6bb0821"),
            "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1"
            "#/events/9fd68588-ecbf-4528-a345-199fa6bb0821");
  EXPECT_EQ(
      CloudTrailEventUrl("cn-north-1", "e"),
      "https://cn-north-1.console.amazonaws.cn/cloudtrailv2/home?region=cn-north-1#/events/e");
  EXPECT_EQ(CloudTrailEventUrl("us-gov-west-1", "e"),
            "https://us-gov-west-1.console.amazonaws-us-gov.com/cloudtrailv2/home"
            "?region=us-gov-west-1#/events/e");
  // Hostile values: a region that is not a region gives no link; the event id is encoded.
  EXPECT_EQ(CloudTrailEventUrl("evil.example/x?", "e"), "");
  EXPECT_EQ(CloudTrailEventUrl("", "e"), "");
  EXPECT_EQ(CloudTrailEventUrl("us-east-1", ""), "");
  EXPECT_EQ(CloudTrailEventUrl("us-east-1", "a b/<x>"),
            "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1"
            "#/events/a%20b%2F%3Cx%3E");
}

// One Enricher over a run of alerts, as a stage sees them: several of one record back to back
// (the record is parsed once for them), then others. Each must come out as it would alone.
TEST(Enricher, RunsOfAlertsOfOneRecord) {
  const std::string root = CorpusLine("panther", 79);
  const std::string bad = "{not json";
  auto enricher = Enricher::Create(Seoul());
  ASSERT_TRUE(enricher.has_value());
  std::vector<Alert> alerts;
  for (const std::string* record : {&root, &root, &bad, &root}) {
    Alert a;
    a.rule_id = "r" + std::to_string(alerts.size());
    a.record_json = *record;
    alerts.push_back(std::move(a));
  }
  FakeClock clock;
  ASSERT_TRUE((*enricher)->Process(alerts, StageContext{clock, nullptr}).has_value());
  for (size_t i : {0u, 1u, 3u}) {
    const Alert alone = Enriched(root);
    EXPECT_EQ(alerts[i].actor, "root") << i;
    EXPECT_EQ(alerts[i].account_name, "prod") << i;
    EXPECT_EQ(alerts[i].local_time, "2019-01-01 09:00:00 KST") << i;
    EXPECT_EQ(alerts[i].console_url, alone.console_url) << i;
    EXPECT_EQ(alerts[i].notes, alone.notes) << i;
  }
  EXPECT_EQ(alerts[2].actor, "");
  ASSERT_EQ(alerts[2].notes.size(), 1u);
  EXPECT_NE(alerts[2].notes[0].find("not a JSON object"), std::string::npos);
  // Ids differ by rule: each alert got its own.
  EXPECT_NE(alerts[0].id, alerts[1].id);
}

TEST(Enricher, RootConsoleSignIn) {
  // panther line 79: root, 2019-01-01T00:00:00Z = 09:00 KST, account 123456789012.
  const Alert a = Enriched(CorpusLine("panther", 79));
  EXPECT_EQ(a.actor, "root");
  EXPECT_EQ(a.actor_email, "");
  EXPECT_EQ(a.account_id, "123456789012");
  EXPECT_EQ(a.account_name, "prod");
  EXPECT_EQ(a.local_time, "2019-01-01 09:00:00 KST");
  EXPECT_EQ(
      a.console_url,
      "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/1");
  EXPECT_EQ(a.event_name, "ConsoleLogin");
  EXPECT_EQ(a.source_ip, "111.111.111.111");
  EXPECT_TRUE(a.security_group_changes.empty());
  EXPECT_EQ(a.id, ComputeAlertId("r", "1", ""));
}

TEST(Enricher, SecurityGroupEventFromAnIamUser) {
  // stratus-red-team line 266: 2024-08-01T12:23:55Z = 21:23:55 KST.
  const Alert a = Enriched(CorpusLine("stratus-red-team", 266));
  EXPECT_EQ(a.actor, "christophe");
  EXPECT_EQ(a.account_name, "sandbox");
  EXPECT_EQ(a.local_time, "2024-08-01 21:23:55 KST");
  ASSERT_EQ(a.security_group_changes.size(), 1u);
  EXPECT_EQ(a.security_group_changes[0].peer, "208.236.235.254/0");
}

TEST(Enricher, AssumedRoleEmailAndUtc) {
  rules::GlobalPolicy g;  // UTC, no names
  const Alert a = Enriched(CorpusLine("panther", 97), g);
  EXPECT_EQ(a.actor_email, "ryan@example.com");
  EXPECT_EQ(a.account_name, "");
  EXPECT_EQ(a.local_time, "2020-04-30 23:51:08 UTC");
}

TEST(Enricher, KeepsWhatTheEngineSetAndSurvivesBadRecords) {
  auto enricher = Enricher::Create(Seoul());
  ASSERT_TRUE(enricher.has_value());
  Alert a;
  a.rule_id = "r";
  a.event_name = "Set by engine";
  a.record_json = CorpusLine("panther", 79);
  (*enricher)->Enrich(a);
  EXPECT_EQ(a.event_name, "Set by engine");

  Alert broken;
  broken.rule_id = "r";
  broken.record_json = "{not json";
  (*enricher)->Enrich(broken);
  EXPECT_EQ(broken.notes.size(), 1u);
  EXPECT_EQ(broken.id.size(), 32u);

  // eventTime that does not parse (panther line 55 writes "2024-06-02 19:41:40.000000000").
  const Alert odd = Enriched(CorpusLine("panther", 55));
  EXPECT_EQ(odd.local_time, "");
}

TEST(Enricher, UnknownTimeZone) {
  rules::GlobalPolicy g;
  g.timezone = "Asia/Nowhere";
  EXPECT_EQ(Enricher::Create(g).error().code, ErrorCode::kInvalidArgument);
}

TEST(Enricher, IsTheEnrichStage) {
  auto enricher = Enricher::Create(Seoul());
  ASSERT_TRUE(enricher.has_value());
  std::vector<Alert> alerts(2);
  alerts[0].record_json = CorpusLine("panther", 79);
  alerts[1].record_json = CorpusLine("aws-docs", 28);
  FakeClock clock;
  ASSERT_TRUE((*enricher)->Process(alerts, StageContext{clock, nullptr}).has_value());
  EXPECT_EQ(alerts[0].actor, "root");
  EXPECT_EQ(alerts[1].actor, "dynamodb.amazonaws.com");
  EXPECT_STREQ((*enricher)->name(), "enrich");
}

}  // namespace
}  // namespace tw::alert
