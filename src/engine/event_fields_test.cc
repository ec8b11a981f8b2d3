// EventFields: the event fields of an alert, read from a record's DOM and from its text. Every
// case runs through both readers, which must agree with the expectation written here.
#include "engine/event_fields.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "match/json_check.h"

namespace tw::engine {
namespace {

struct Both {
  alert::Alert from_dom;
  alert::Alert from_text;
};

Both FillFrom(const std::string& json) {
  Both out;
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(json);
  ApplyEventFields(ReadEventFields(root), out.from_dom);
  EXPECT_TRUE(match::CheckJson(json).ok()) << json;  // the text reader's precondition
  ApplyEventFields(ReadEventFields(std::string_view(json)), out.from_text);
  return out;
}

// Runs `check` on the alert of each reader, naming the reader on failure.
template <class Check>
void ForBoth(const std::string& json, Check check) {
  const Both b = FillFrom(json);
  {
    SCOPED_TRACE("from the DOM");
    check(b.from_dom);
  }
  {
    SCOPED_TRACE("from the text");
    check(b.from_text);
  }
}

TEST(EventFields, ReadsTheStringMembersAndMarksThemPresent) {
  ForBoth(
      R"({"eventID":"e-1","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com",)"
      R"("eventTime":"2024-01-01T00:00:00Z","awsRegion":"eu-west-1","recipientAccountId":"111",)"
      R"("userIdentity":{"type":"IAMUser","userName":"alice","accountId":"222"},)"
      R"("sourceIPAddress":"198.51.100.1","userAgent":"aws-cli/2","errorCode":"AccessDenied",)"
      R"("errorMessage":"no"})",
      [](const alert::Alert& a) {
        EXPECT_EQ(a.event_id, "e-1");
        EXPECT_EQ(a.event_name, "StopLogging");
        EXPECT_EQ(a.event_source, "cloudtrail.amazonaws.com");
        EXPECT_EQ(a.event_time, "2024-01-01T00:00:00Z");
        EXPECT_EQ(a.aws_region, "eu-west-1");
        EXPECT_EQ(a.account_id, "111");  // recipientAccountId before userIdentity.accountId
        EXPECT_EQ(a.actor, "alice");
        EXPECT_EQ(a.source_ip, "198.51.100.1");
        EXPECT_EQ(a.user_agent, "aws-cli/2");
        EXPECT_EQ(a.error_code, "AccessDenied");
        EXPECT_EQ(a.error_message, "no");
        const uint32_t all = alert::kFieldEventId | alert::kFieldEventName |
                             alert::kFieldEventSource | alert::kFieldEventTime |
                             alert::kFieldAwsRegion | alert::kFieldAccountId | alert::kFieldActor |
                             alert::kFieldSourceIp | alert::kFieldUserAgent |
                             alert::kFieldErrorCode | alert::kFieldErrorMessage;
        EXPECT_EQ(a.present_fields, all);
      });
}

TEST(EventFields, FirstDuplicateWinsAndWrongTypesAreAbsent) {
  // A later duplicate never replaces the first occurrence, even when the first is not a string.
  ForBoth(R"({"eventName":"First","eventName":"Second","errorCode":7,"errorCode":"Late",)"
          R"("userIdentity":{"type":"Root"},"userIdentity":{"type":"IAMUser","userName":"bob"},)"
          R"("eventID":""})",
          [](const alert::Alert& a) {
            EXPECT_EQ(a.event_name, "First");
            EXPECT_EQ(a.error_code, "");
            EXPECT_EQ(a.present_fields & alert::kFieldErrorCode, 0u);
            EXPECT_EQ(a.actor, "root");
            // An empty string is still a string: present.
            EXPECT_EQ(a.event_id, "");
            EXPECT_NE(a.present_fields & alert::kFieldEventId, 0u);
            EXPECT_EQ(a.present_fields & alert::kFieldEventSource, 0u);
          });
  // The first userIdentity is not an object: the second is not read either.
  ForBoth(R"({"userIdentity":null,"userIdentity":{"type":"Root","accountId":"1"}})",
          [](const alert::Alert& a) {
            EXPECT_EQ(a.actor, "");
            EXPECT_EQ(a.account_id, "");
            EXPECT_EQ(a.present_fields, 0u);
          });
  // Duplicates inside userIdentity and below it.
  ForBoth(R"({"userIdentity":{"type":"AssumedRole","type":"Root","arn":["x"],"arn":"a",)"
          R"("sessionContext":{"sessionIssuer":{"userName":"first","userName":"second"}},)"
          R"("sessionContext":{"sessionIssuer":{"userName":"other"}}}})",
          [](const alert::Alert& a) { EXPECT_EQ(a.actor, "first"); });
}

TEST(EventFields, AccountFallsBackToTheIdentity) {
  ForBoth(R"({"userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com",)"
          R"("accountId":"333"}})",
          [](const alert::Alert& a) {
            EXPECT_EQ(a.account_id, "333");
            EXPECT_EQ(a.actor, "s3.amazonaws.com");
            EXPECT_NE(a.present_fields & alert::kFieldAccountId, 0u);
          });
  ForBoth(R"({"userIdentity":"not an object","recipientAccountId":5})", [](const alert::Alert& a) {
    EXPECT_EQ(a.account_id, "");
    EXPECT_EQ(a.actor, "");
    EXPECT_EQ(a.present_fields, 0u);
  });
  ForBoth(R"(["not","an","object"])",
          [](const alert::Alert& a) { EXPECT_EQ(a.present_fields, 0u); });
}

TEST(EventFields, NamesTheActorOfEachIdentityType) {
  const auto actor = [](const std::string& identity, const std::string& want) {
    SCOPED_TRACE(identity);
    ForBoth(R"({"userIdentity":)" + identity + "}",
            [&](const alert::Alert& a) { EXPECT_EQ(a.actor, want); });
  };
  actor(R"({"type":"IAMUser","arn":"arn:aws:iam::1:user/al"})", "arn:aws:iam::1:user/al");
  actor(R"({"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Admin/jo"})", "Admin/jo");
  actor(R"({"type":"AssumedRole","arn":"odd","sessionContext":{"attributes":{"a":"b"},)"
        R"("sessionIssuer":{"type":"Role","userName":"Deployer"}}})",
        "Deployer");
  actor(R"({"type":"AssumedRole","arn":"odd","sessionContext":"flat"})", "odd");
  actor(R"({"type":"AWSService","principalId":"p"})", "p");
  actor(R"({"type":"FederatedUser","userName":"fed"})", "fed");
  actor(R"({"type":"Unknown","principalId":"AIDA1"})", "AIDA1");
  // A userName outside the sessionIssuer is not the issuer's.
  actor(R"({"type":"AssumedRole","sessionContext":{"userName":"no"}})", "");
}

TEST(EventFields, KeysAndValuesAreReadUnescaped) {
  // \u0065 is 'e', \u004e is 'N': the keys are eventName and userName.
  ForBoth(R"({"\u0065ventName":"Stop\"Log\\ging\u00e9","userIdentity":{"type":"IAMUser",)"
          R"("user\u004eame":"al\nice"},"eventName":"late"})",
          [](const alert::Alert& a) {
            EXPECT_EQ(a.event_name, "Stop\"Log\\ging\xc3\xa9");
            EXPECT_EQ(a.actor, "al\nice");
          });
}

TEST(EventFields, OnlyTheRecordsOwnMembersCount) {
  // The same names deeper in the record (requestParameters, an array) are not the record's.
  ForBoth(R"({"requestParameters":{"eventName":"inner","userIdentity":{"type":"Root"}},)"
          R"("resources":[{"eventID":"x"}],"eventName":"outer"})",
          [](const alert::Alert& a) {
            EXPECT_EQ(a.event_name, "outer");
            EXPECT_EQ(a.event_id, "");
            EXPECT_EQ(a.actor, "");
            EXPECT_EQ(a.present_fields, alert::kFieldEventName);
          });
}

}  // namespace
}  // namespace tw::engine
