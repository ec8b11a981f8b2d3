// StsClient's GetCallerIdentity (for `trailwatch aws whoami`) and error mapping. The response is
// the example of the STS API reference (GetCallerIdentity), with our own values.
#include "aws/sts_client.h"

#include <gtest/gtest.h>

#include "aws/testing/fake_http.h"

namespace tw::aws {
namespace {

using testing::FakeHttp;

TEST(StsClientTest, GetCallerIdentitySignedWithTheSessionToken) {
  FakeHttp http;
  http.On("POST", "https://sts.eu-west-1.amazonaws.com/", 200,
          "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
          "  <GetCallerIdentityResult>\n"
          "    <Arn>arn:aws:sts::123456789012:assumed-role/trailwatch/i-0abc</Arn>\n"
          "    <UserId>AROAEXAMPLE:i-0abc</UserId>\n"
          "    <Account>123456789012</Account>\n"
          "  </GetCallerIdentityResult>\n"
          "  <ResponseMetadata><RequestId>01234567-89ab</RequestId></ResponseMetadata>\n"
          "</GetCallerIdentityResponse>\n");
  FakeClock clock;
  StsClient sts(http.Fetch(), *ResolveEndpoint(Service::kSts, "eu-west-1", Environment()), clock);
  Credentials creds{"ASIAEXAMPLE", "secret", "session-token", std::nullopt, "imds"};
  auto id = sts.GetCallerIdentity(creds);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  EXPECT_EQ(id->account, "123456789012");
  EXPECT_EQ(id->arn, "arn:aws:sts::123456789012:assumed-role/trailwatch/i-0abc");
  EXPECT_EQ(id->user_id, "AROAEXAMPLE:i-0abc");
  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& r = http.requests[0];
  EXPECT_EQ(r.body, "Action=GetCallerIdentity&Version=2011-06-15");
  ASSERT_NE(FindHeader(r.headers, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(*FindHeader(r.headers, "X-Amz-Security-Token"), "session-token");
  const std::string* auth = FindHeader(r.headers, "Authorization");
  ASSERT_NE(auth, nullptr);
  // 1790000000 s is 2026-09-21 (FakeClock's default start): the scope's date.
  EXPECT_TRUE(auth->starts_with(
      "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260921/eu-west-1/sts/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="))
      << *auth;
}

TEST(StsClientTest, ErrorsCarryCodeAndMessage) {
  FakeHttp http;
  http.On("POST", "https://sts.amazonaws.com/", 403,
          "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
          "<Message>The security token included in the request is invalid.</Message></Error>"
          "</ErrorResponse>");
  FakeClock clock;
  StsClient sts(http.Fetch(), *ResolveEndpoint(Service::kSts, "", Environment()), clock);
  auto id = sts.GetCallerIdentity(Credentials{"AKID", "TopSecret", "", std::nullopt, ""});
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().message,
            "STS GetCallerIdentity: InvalidClientTokenId: The security token included in the "
            "request is invalid.");
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidArgument);

  StsClient down(http.Fetch(), Endpoint{"https://sts.example.invalid", "us-east-1", true}, clock);
  auto unavailable = down.GetCallerIdentity(Credentials{"AKID", "TopSecret", "", std::nullopt, ""});
  ASSERT_FALSE(unavailable.has_value());
  EXPECT_EQ(unavailable.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(unavailable.error().message.find("TopSecret"), std::string::npos);
}

}  // namespace
}  // namespace tw::aws
