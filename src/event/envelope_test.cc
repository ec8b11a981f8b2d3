#include "event/envelope.h"

#include <gtest/gtest.h>

namespace tw::event {
namespace {

std::string Source(std::string_view event_source) {
  std::string out;
  SourceForEventSource(event_source, out);
  return out;
}

TEST(DetailTypeForEventType, MapsEveryCloudTrailEventType) {
  EXPECT_EQ(DetailTypeForEventType("AwsApiCall"), "AWS API Call via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsConsoleSignIn"), "AWS Console Sign In via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsServiceEvent"), "AWS Service Event via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsConsoleAction"), "AWS Console Action via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsCloudTrailInsight"), "AWS Insight via CloudTrail");
}

TEST(DetailTypeForEventType, MissingOrUnknownIsApiCall) {
  EXPECT_EQ(DetailTypeForEventType(""), "AWS API Call via CloudTrail");
  EXPECT_EQ(DetailTypeForEventType("AwsVpceEvent"), "AWS API Call via CloudTrail");
}

TEST(IsCloudTrailDetailType, RecognisesAllIncludingDocumentedSpelling) {
  for (std::string_view t :
       {"AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail",
        "AWS Console Signin via CloudTrail", "AWS Service Event via CloudTrail",
        "AWS Console Action via CloudTrail", "AWS Insight via CloudTrail"}) {
    EXPECT_TRUE(IsCloudTrailDetailType(t)) << t;
  }
  EXPECT_FALSE(IsCloudTrailDetailType("EC2 Instance State-change Notification"));
  EXPECT_FALSE(IsCloudTrailDetailType("aws api call via cloudtrail"));
  EXPECT_FALSE(IsCloudTrailDetailType(""));
}

TEST(SourceForEventSource, TakesTheServicePrefix) {
  EXPECT_EQ(Source("ec2.amazonaws.com"), "aws.ec2");
  EXPECT_EQ(Source("signin.amazonaws.com"), "aws.signin");
  EXPECT_EQ(Source("resource-explorer-2.amazonaws.com"), "aws.resource-explorer-2");
  EXPECT_EQ(Source("cloudtrail"), "aws.cloudtrail");
  EXPECT_EQ(Source(""), "aws.");
}

TEST(BuildEnvelope, FillsEveryMemberFromTheRecord) {
  simdjson::dom::parser parser;
  auto record = parser.parse(std::string_view(
      R"({"eventType":"AwsConsoleSignIn","eventSource":"signin.amazonaws.com","eventID":"e-1",)"
      R"("eventTime":"2024-01-02T03:04:05Z","awsRegion":"eu-west-1",)"
      R"("userIdentity":{"accountId":"111122223333"}})"));
  ASSERT_EQ(record.error(), simdjson::SUCCESS);
  EnvelopeStorage storage;
  BuildEnvelope(record.value(), storage);
  const Envelope& e = storage.envelope;
  EXPECT_EQ(e.source, "aws.signin");
  EXPECT_EQ(e.detail_type, "AWS Console Sign In via CloudTrail");
  EXPECT_EQ(e.id, "e-1");
  EXPECT_EQ(e.time, "2024-01-02T03:04:05Z");
  EXPECT_EQ(e.region, "eu-west-1");
  EXPECT_EQ(e.account, "111122223333");  // no recipientAccountId: falls back to userIdentity
}

}  // namespace
}  // namespace tw::event
