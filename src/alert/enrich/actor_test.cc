#include "alert/enrich/actor.h"

#include <gtest/gtest.h>

#include "alert/testing/corpus.h"

namespace tw::alert {
namespace {

using testing::CorpusLine;

ReadableActor Of(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json.substr(0, 80);
  return DescribeActor(root);
}

TEST(DescribeActor, RealEvents) {
  // IAM user (stratus-red-team line 266): the user name.
  EXPECT_EQ(Of(CorpusLine("stratus-red-team", 266)).name, "christophe");
  // Root console sign-in (panther line 79).
  EXPECT_EQ(Of(CorpusLine("panther", 79)).name, "root");
  // An AWS service acting on its own (aws-docs line 28): the service.
  EXPECT_EQ(Of(CorpusLine("aws-docs", 28)).name, "dynamodb.amazonaws.com");
  // SSO permission set whose session name is not an email (panther line 5): role/session.
  const ReadableActor sso = Of(CorpusLine("panther", 5));
  EXPECT_EQ(sso.name, "AWSReservedSSO_DevAdmin_abc123/bob.ross");
  EXPECT_EQ(sso.email, "");
  // An assumed role with an email session name (panther line 97): role/session, and the email.
  // (This record's sessionIssuer says "Operator"; the assumed-role ARN, which names the session,
  // says ContinousDeployment, and wins.)
  const ReadableActor cd = Of(CorpusLine("panther", 97));
  EXPECT_EQ(cd.name, "ContinousDeployment/ryan@example.com");
  EXPECT_EQ(cd.email, "ryan@example.com");
  // A federated user (panther line 6).
  EXPECT_EQ(Of(CorpusLine("panther", 6)).name, "federated-user");
}

TEST(DescribeActor, SsoEmailSession) {
  const ReadableActor a = Of(
      R"({"userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:jane.doe@example.com",)"
      R"("arn":"arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123abcd/jane.doe@example.com",)"
      R"("accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role",)"
      R"("arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123abcd",)"
      R"("userName":"AWSReservedSSO_AdministratorAccess_0123abcd"}}}})");
  EXPECT_EQ(a.name, "jane.doe@example.com");
  EXPECT_EQ(a.email, "jane.doe@example.com");
}

TEST(DescribeActor, AssumedRoleWithoutSessionContextUsesTheArn) {
  const ReadableActor a = Of(
      R"({"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/deploy/i-0abc"}})");
  EXPECT_EQ(a.name, "deploy/i-0abc");
}

TEST(DescribeActor, InvokedByAndOddShapes) {
  EXPECT_EQ(Of(R"({"userIdentity":{"type":"Root","invokedBy":"support.amazonaws.com"}})").name,
            "root via support.amazonaws.com");
  EXPECT_EQ(Of(R"({"userIdentity":{"type":"AWSAccount","accountId":"444455556666"}})").name,
            "account 444455556666");
  EXPECT_EQ(Of(R"({"userIdentity":{"type":"IdentityCenterUser","userName":"u-1"}})").name, "u-1");
  EXPECT_EQ(Of(R"({"eventName":"x"})").name, "");  // no userIdentity (Insights)
  EXPECT_EQ(Of(R"({"userIdentity":null})").name, "");
  EXPECT_EQ(Of(R"({"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/path/bob"}})").name,
            "bob");
}

TEST(LooksLikeEmail, Cases) {
  EXPECT_TRUE(LooksLikeEmail("a.b@example.co.kr"));
  EXPECT_FALSE(LooksLikeEmail("bob.ross"));
  EXPECT_FALSE(LooksLikeEmail("@example.com"));
  EXPECT_FALSE(LooksLikeEmail("a@b"));
  EXPECT_FALSE(LooksLikeEmail("a@b@c.com"));
  EXPECT_FALSE(LooksLikeEmail("<!channel>@x.com"));
  EXPECT_FALSE(LooksLikeEmail("a b@x.com"));
}

}  // namespace
}  // namespace tw::alert
