// GetSecretString against a scripted fetch: the request as the Secrets Manager API reference
// documents it (JSON 1.1, X-Amz-Target secretsmanager.GetSecretValue, {"SecretId": ...}), the
// answer's SecretString, and AWS errors mapped by code.
#include "aws/secrets_manager.h"

#include <gtest/gtest.h>

#include "aws/testing/fake_http.h"

namespace tw::aws {
namespace {

constexpr char kArn[] = "arn:aws:secretsmanager:us-east-1:111122223333:secret:slack-AbCdEf";

class SecretsManagerTest : public ::testing::Test {
 protected:
  Endpoint endpoint_{"https://secretsmanager.us-east-1.amazonaws.com", "us-east-1", false};
  Credentials creds_{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, "test"};
  FakeClock clock_;
  testing::FakeHttp http_;
};

TEST_F(SecretsManagerTest, SendsTheDocumentedRequestAndReturnsSecretString) {
  http_.On("POST", "https://secretsmanager.us-east-1.amazonaws.com/", 200,
           R"({"ARN":"a","Name":"slack","SecretString":"https://hooks.slack.com/services/T/B/X",)"
           R"("VersionId":"v"})");
  auto value = GetSecretString(http_.Fetch(), endpoint_, creds_, kArn, clock_);
  ASSERT_TRUE(value) << value.error().ToString();
  EXPECT_EQ(*value, "https://hooks.slack.com/services/T/B/X");
  ASSERT_EQ(http_.requests.size(), 1u);
  const HttpRequest& r = http_.requests[0];
  EXPECT_EQ(r.body, std::string(R"({"SecretId":")") + kArn + R"("})");
  ASSERT_NE(FindHeader(r.headers, "X-Amz-Target"), nullptr);
  EXPECT_EQ(*FindHeader(r.headers, "X-Amz-Target"), "secretsmanager.GetSecretValue");
  EXPECT_EQ(*FindHeader(r.headers, "Content-Type"), "application/x-amz-json-1.1");
  const std::string* auth = FindHeader(r.headers, "Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_NE(auth->find("/us-east-1/secretsmanager/aws4_request"), std::string::npos) << *auth;
}

TEST_F(SecretsManagerTest, MissingSecretIsNotFoundWithoutLeakingAnything) {
  http_.On("POST", "https://secretsmanager.us-east-1.amazonaws.com/", 400,
           R"({"__type":"ResourceNotFoundException",)"
           R"("Message":"Secrets Manager can't find the specified secret."})",
           {{"Content-Type", "application/x-amz-json-1.1"}});
  auto value = GetSecretString(http_.Fetch(), endpoint_, creds_, kArn, clock_);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, ErrorCode::kNotFound);
  EXPECT_NE(value.error().message.find("ResourceNotFoundException"), std::string::npos)
      << value.error().message;
  EXPECT_EQ(value.error().message.find("wJalr"), std::string::npos);
}

TEST_F(SecretsManagerTest, BinarySecretIsRefused) {
  http_.On("POST", "https://secretsmanager.us-east-1.amazonaws.com/", 200,
           R"({"ARN":"a","SecretBinary":"AAEC"})");
  auto value = GetSecretString(http_.Fetch(), endpoint_, creds_, kArn, clock_);
  ASSERT_FALSE(value);
  EXPECT_EQ(value.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace tw::aws
