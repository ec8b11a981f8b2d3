// Each credential provider on its own: files in a temporary directory, HTTP through FakeHttp
// (which records the requests), time from a FakeClock. Response documents are the examples of
// the AWS documentation (STS API reference, ECS and EC2 user guides), with our own values.
#include <gtest/gtest.h>

#include <string>

#include "aws/credentials/container_provider.h"
#include "aws/credentials/environment_provider.h"
#include "aws/credentials/imds_provider.h"
#include "aws/credentials/process_provider.h"
#include "aws/credentials/profile_provider.h"
#include "aws/credentials/web_identity_provider.h"
#include "aws/testing/fake_http.h"

namespace tw::aws {
namespace {

using testing::FakeHttp;
using testing::TempDir;

constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETKEY";
constexpr char kToken[] = "AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLETOKEN";

// 2014-10-24T23:00:23Z as seconds since the epoch (hand-computed: 16367 days * 86400 + 82823).
constexpr int64_t kStsExpiration = 1414191623;

std::string StsCredentialsXml(const std::string& action, bool with_expiration = true) {
  return "<" + action +
         "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
         "  <" +
         action +
         "Result>\n"
         "    <AssumedRoleUser>\n"
         "      <Arn>arn:aws:sts::123456789012:assumed-role/trailwatch/app1</Arn>\n"
         "      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:app1</AssumedRoleId>\n"
         "    </AssumedRoleUser>\n"
         "    <Credentials>\n"
         "      <SessionToken>" +
         std::string(kToken) +
         "</SessionToken>\n"
         "      <SecretAccessKey>" +
         std::string(kSecret) + "</SecretAccessKey>\n" +
         (with_expiration ? "      <Expiration>2014-10-24T23:00:23Z</Expiration>\n" : "") +
         "      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
         "    </Credentials>\n"
         "  </" +
         action +
         "Result>\n"
         "  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>"
         "</ResponseMetadata>\n"
         "</" +
         action + "Response>\n";
}

std::string CredentialsJson(const std::string& token_field, const std::string& expiration) {
  return "{\"Code\": \"Success\", \"LastUpdated\": \"2026-12-01T10:00:00Z\", \"Type\": "
         "\"AWS-HMAC\", \"AccessKeyId\": \"ASIAIOSFODNN7EXAMPLE\", \"SecretAccessKey\": \"" +
         std::string(kSecret) + "\", \"" + token_field + "\": \"" + kToken +
         "\", \"Expiration\": \"" + expiration + "\"}";
}

void ExpectNoSecret(const Result<Credentials>& result) {
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message.find(kSecret), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find(kToken), std::string::npos) << result.error().message;
}

// --- environment ----------------------------------------------------------------------------

TEST(EnvironmentProviderTest, ReadsKeysAndToken) {
  EnvironmentProvider p(Environment({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                     {"AWS_SECRET_ACCESS_KEY", kSecret},
                                     {"AWS_SESSION_TOKEN", kToken}}));
  auto creds = p.Fetch();
  ASSERT_TRUE(creds.has_value());
  EXPECT_EQ(creds->access_key_id, "AKIDENV");
  EXPECT_EQ(creds->secret_access_key, kSecret);
  EXPECT_EQ(creds->session_token, kToken);
  EXPECT_EQ(creds->source, "environment");
  EXPECT_FALSE(creds->expiration.has_value());
  EXPECT_EQ(creds->Describe().find(kSecret), std::string::npos);
}

TEST(EnvironmentProviderTest, UnsetAndEmptyAreNotConfigured) {
  EXPECT_EQ(EnvironmentProvider(Environment()).Fetch().error().code, ErrorCode::kNotFound);
  EnvironmentProvider empty(
      Environment({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}}));
  EXPECT_EQ(empty.Fetch().error().code, ErrorCode::kNotFound);
}

TEST(EnvironmentProviderTest, PartialKeysAreAnErrorWithoutTheSecret) {
  EnvironmentProvider p(Environment({{"AWS_SECRET_ACCESS_KEY", kSecret}}));
  auto creds = p.Fetch();
  ExpectNoSecret(creds);
  EXPECT_EQ(creds.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(creds.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

// --- web identity ---------------------------------------------------------------------------

TEST(WebIdentityProviderTest, CallsStsUnsignedAndParsesTheAnswer) {
  TempDir dir;
  std::string token_file = dir.Write("token", "eyJhbGciOiJSUzI1NiJ9.web.identity\n");
  FakeHttp http;
  http.On("POST", "https://sts.eu-west-1.amazonaws.com/", 200,
          StsCredentialsXml("AssumeRoleWithWebIdentity"));
  FakeClock clock;
  WebIdentityProvider p(Environment({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file},
                                     {"AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/trail watch"},
                                     {"AWS_ROLE_SESSION_NAME", "tw-session"}}),
                        "eu-west-1", http.Fetch(), clock);
  auto creds = p.Fetch();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(creds->secret_access_key, kSecret);
  EXPECT_EQ(creds->session_token, kToken);
  EXPECT_EQ(creds->source, "web-identity");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(creds->expiration->time_since_epoch())
                .count(),
            kStsExpiration);

  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& r = http.requests[0];
  EXPECT_EQ(FindHeader(r.headers, "authorization"), nullptr);  // unsigned
  EXPECT_EQ(r.body,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
            "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Ftrail%20watch"
            "&RoleSessionName=tw-session&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.web.identity");
}

TEST(WebIdentityProviderTest, NotConfiguredHalfConfiguredAndStsErrors) {
  TempDir dir;
  FakeHttp http;
  FakeClock clock;
  EXPECT_EQ(WebIdentityProvider(Environment(), "", http.Fetch(), clock).Fetch().error().code,
            ErrorCode::kNotFound);
  WebIdentityProvider half(Environment({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}), "",
                           http.Fetch(), clock);
  EXPECT_EQ(half.Fetch().error().code, ErrorCode::kInvalidArgument);

  std::string token_file = dir.Write("token", kToken);
  http.On("POST", "https://sts.amazonaws.com/", 403,
          "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender"
          "</Type><Code>AccessDenied</Code><Message>Not authorized to perform "
          "sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>r-1</RequestId>"
          "</ErrorResponse>");
  WebIdentityProvider denied(Environment({{"AWS_WEB_IDENTITY_TOKEN_FILE", token_file},
                                          {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}),
                             "", http.Fetch(), clock);
  auto creds = denied.Fetch();
  ExpectNoSecret(creds);  // the web identity token (kToken here) is not echoed
  EXPECT_NE(creds.error().message.find("AccessDenied: Not authorized"), std::string::npos)
      << creds.error().message;
}

TEST(WebIdentityProviderTest, BadAnswerErrorHasNoSecret) {
  TempDir dir;
  FakeHttp http;
  FakeClock clock;
  http.On("POST", "https://sts.amazonaws.com/", 200,
          StsCredentialsXml("AssumeRoleWithWebIdentity", /*with_expiration=*/false));
  WebIdentityProvider p(Environment({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.Write("t", "tok")},
                                     {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}),
                        "", http.Fetch(), clock);
  auto creds = p.Fetch();
  ExpectNoSecret(creds);
  EXPECT_EQ(creds.error().code, ErrorCode::kParse);
}

// --- profile --------------------------------------------------------------------------------

Environment ProfileEnv(const TempDir& dir,
                       std::map<std::string, std::string, std::less<>> extra = {}) {
  extra["HOME"] = dir.path();
  extra["AWS_CONFIG_FILE"] = dir.path() + "/config";
  extra["AWS_SHARED_CREDENTIALS_FILE"] = dir.path() + "/credentials";
  return Environment(std::move(extra));
}

TEST(ProfileProviderTest, StaticKeysFromTheSelectedProfile) {
  TempDir dir;
  dir.Write("credentials",
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s0\n"
            "# a comment\n[prod]\naws_access_key_id=AKIDPROD\naws_secret_access_key=" +
                std::string(kSecret) + "\naws_session_token = " + kToken + "\n");
  FakeHttp http;
  FakeClock clock;
  ProfileProvider p(ProfileEnv(dir, {{"AWS_PROFILE", "prod"}}), http.Fetch(), clock);
  auto creds = p.Fetch();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "AKIDPROD");
  EXPECT_EQ(creds->secret_access_key, kSecret);
  EXPECT_EQ(creds->session_token, kToken);
  EXPECT_EQ(creds->source, "profile");

  ProfileProvider d(ProfileEnv(dir), http.Fetch(), clock);
  EXPECT_EQ(d.Fetch()->access_key_id, "AKIDDEFAULT");
  EXPECT_TRUE(http.requests.empty());
}

TEST(ProfileProviderTest, MissingProfileAndPartialKeys) {
  TempDir dir;
  FakeHttp http;
  FakeClock clock;
  // No files at all, default profile: not configured.
  EXPECT_EQ(ProfileProvider(ProfileEnv(dir), http.Fetch(), clock).Fetch().error().code,
            ErrorCode::kNotFound);
  // AWS_PROFILE names a profile that does not exist: an error.
  EXPECT_EQ(ProfileProvider(ProfileEnv(dir, {{"AWS_PROFILE", "nope"}}), http.Fetch(), clock)
                .Fetch()
                .error()
                .code,
            ErrorCode::kInvalidArgument);
  dir.Write("config", "[profile half]\naws_secret_access_key = " + std::string(kSecret) + "\n");
  auto half =
      ProfileProvider(ProfileEnv(dir, {{"AWS_PROFILE", "half"}}), http.Fetch(), clock).Fetch();
  ExpectNoSecret(half);
  EXPECT_EQ(half.error().code, ErrorCode::kInvalidArgument);
}

TEST(ProfileProviderTest, RoleArnWithSourceProfileCallsAssumeRoleSigned) {
  TempDir dir;
  dir.Write("config",
            "[profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/auditor\n"
            "source_profile = base\nexternal_id = ext-1\nrole_session_name = tw\n"
            "region = eu-west-1\nduration_seconds = 900\n");
  dir.Write("credentials",
            "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = basesecret\n");
  FakeHttp http;
  http.On("POST", "https://sts.eu-west-1.amazonaws.com/", 200, StsCredentialsXml("AssumeRole"));
  FakeClock clock;
  ProfileProvider p(ProfileEnv(dir, {{"AWS_PROFILE", "auditor"}}), http.Fetch(), clock);
  auto creds = p.Fetch();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(creds->source, "assume-role");
  ASSERT_EQ(http.requests.size(), 1u);
  const HttpRequest& r = http.requests[0];
  EXPECT_EQ(r.body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3A"
            "role%2Fauditor&RoleSessionName=tw&ExternalId=ext-1&DurationSeconds=900");
  const std::string* auth = FindHeader(r.headers, "authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_TRUE(auth->starts_with("AWS4-HMAC-SHA256 Credential=AKIDBASE/"));
  EXPECT_NE(auth->find("/eu-west-1/sts/aws4_request"), std::string::npos);
}

TEST(ProfileProviderTest, SourceProfileCycleIsRejected) {
  TempDir dir;
  dir.Write("config",
            "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
            "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n");
  FakeHttp http;
  FakeClock clock;
  auto creds =
      ProfileProvider(ProfileEnv(dir, {{"AWS_PROFILE", "a"}}), http.Fetch(), clock).Fetch();
  ASSERT_FALSE(creds.has_value());
  EXPECT_EQ(creds.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(creds.error().message.find("cycle"), std::string::npos);
  EXPECT_TRUE(http.requests.empty());
}

TEST(ProfileProviderTest, CredentialProcess) {
  TempDir dir;
  std::string script = dir.Write("creds.sh",
                                 "#!/bin/sh\ncat <<'JSON'\n{\"Version\": 1, \"AccessKeyId\": "
                                 "\"AKIDPROC\", \"SecretAccessKey\": \"" +
                                     std::string(kSecret) +
                                     "\", \"SessionToken\": \"tok\", \"Expiration\": "
                                     "\"2026-12-01T11:00:00Z\"}\nJSON\n",
                                 /*executable=*/true);
  dir.Write("config", "[default]\ncredential_process = " + script + " --profile x\n");
  FakeHttp http;
  FakeClock clock;
  auto creds = ProfileProvider(ProfileEnv(dir), http.Fetch(), clock).Fetch();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "AKIDPROC");
  EXPECT_EQ(creds->secret_access_key, kSecret);
  EXPECT_EQ(creds->session_token, "tok");
  EXPECT_EQ(creds->source, "process");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(FormatIso8601(*creds->expiration), "2026-12-01T11:00:00Z");
}

// --- credential_process ----------------------------------------------------------------------

TEST(ProcessProviderTest, FailuresDoNotLeakTheOutput) {
  TempDir dir;
  std::string body = "{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"" +
                     std::string(kSecret) + "\"}";
  std::string exits = dir.Write("exit3.sh", "#!/bin/sh\necho '" + body + "'\nexit 3\n", true);
  auto failed = ProcessProvider(exits).Fetch();
  ExpectNoSecret(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(failed.error().message.find("status 3"), std::string::npos);

  std::string v2 = dir.Write("v2.sh",
                             "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"A\", "
                             "\"SecretAccessKey\": \"" +
                                 std::string(kSecret) + "\"}'\n",
                             true);
  auto bad_version = ProcessProvider(v2).Fetch();
  ExpectNoSecret(bad_version);
  EXPECT_EQ(bad_version.error().code, ErrorCode::kParse);

  std::string no_key = dir.Write(
      "nokey.sh",
      "#!/bin/sh\necho '{\"Version\": 1, \"SecretAccessKey\": \"" + std::string(kSecret) + "\"}'\n",
      true);
  ExpectNoSecret(ProcessProvider(no_key).Fetch());
}

TEST(ProcessProviderTest, LongTermKeysHaveNoExpiration) {
  TempDir dir;
  std::string script = dir.Write("ok.sh",
                                 "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKID\", "
                                 "\"SecretAccessKey\": \"S\"}'\n",
                                 true);
  auto creds = ProcessProvider(script).Fetch();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_FALSE(creds->expiration.has_value());
  EXPECT_TRUE(creds->session_token.empty());
}

// --- container ------------------------------------------------------------------------------

TEST(ContainerProviderTest, RelativeUriWithAuthorizationToken) {
  FakeHttp http;
  http.On("GET", "http://169.254.170.2/v2/credentials/task-1", 200,
          CredentialsJson("Token", "2026-12-01T16:00:00Z"));
  ContainerProvider p(
      Environment({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-1"},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer abc"}}),
      http.Fetch());
  auto creds = p.Fetch();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(creds->session_token, kToken);
  EXPECT_EQ(creds->source, "container");
  EXPECT_EQ(FormatIso8601(*creds->expiration), "2026-12-01T16:00:00Z");
  ASSERT_EQ(http.requests.size(), 1u);
  ASSERT_NE(FindHeader(http.requests[0].headers, "Authorization"), nullptr);
  EXPECT_EQ(*FindHeader(http.requests[0].headers, "Authorization"), "Bearer abc");
}

TEST(ContainerProviderTest, FullUriAndTokenFileWins) {
  TempDir dir;
  std::string token_file = dir.Write("eks-token", "eks-pod-identity-token\n");
  FakeHttp http;
  http.On("GET", "http://127.0.0.1:8080/creds", 200,
          CredentialsJson("Token", "2026-12-01T16:00:00Z"));
  ContainerProvider p(
      Environment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:8080/creds"},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env"}}),
      http.Fetch());
  ASSERT_TRUE(p.Fetch().has_value());
  EXPECT_EQ(*FindHeader(http.requests[0].headers, "Authorization"), "eks-pod-identity-token");
}

TEST(ContainerProviderTest, PlainHttpToAnArbitraryHostIsRefused) {
  FakeHttp http;
  ContainerProvider p(
      Environment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://evil.example.com/x"}}),
      http.Fetch());
  auto creds = p.Fetch();
  ASSERT_FALSE(creds.has_value());
  EXPECT_EQ(creds.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(http.requests.empty());
  EXPECT_EQ(ContainerProvider(Environment(), http.Fetch()).Fetch().error().code,
            ErrorCode::kNotFound);
}

TEST(ContainerProviderTest, ErrorsDoNotLeakSecretsOrTheToken) {
  FakeHttp http;
  http.On("GET", "http://169.254.170.2/bad", 200, CredentialsJson("Token", "not a time"));
  http.On("GET", "http://169.254.170.2/denied", 403, kSecret);
  Environment env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/bad"},
                   {"AWS_CONTAINER_AUTHORIZATION_TOKEN", kToken}});
  auto bad = ContainerProvider(env, http.Fetch()).Fetch();
  ExpectNoSecret(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
  env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/denied");
  auto denied = ContainerProvider(env, http.Fetch()).Fetch();
  ExpectNoSecret(denied);
  EXPECT_EQ(denied.error().code, ErrorCode::kUnavailable);
}

// --- IMDSv2 ---------------------------------------------------------------------------------

constexpr char kImds[] = "http://127.0.0.1:1338";

TEST(ImdsProviderTest, TokenThenRoleThenCredentials) {
  FakeHttp http;
  std::string base = kImds;
  http.On("PUT", base + "/latest/api/token", 200, "AQAEAImdsSessionToken==");
  http.On("GET", base + "/latest/meta-data/iam/security-credentials/", 200, "trailwatch-role\n");
  http.On("GET", base + "/latest/meta-data/iam/security-credentials/trailwatch-role", 200,
          CredentialsJson("Token", "2026-12-01T16:00:00Z"));
  ImdsProvider p(Environment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", base + "/"}}), http.Fetch());
  auto creds = p.Fetch();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "ASIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(creds->source, "imds");
  ASSERT_EQ(http.requests.size(), 3u);
  EXPECT_EQ(http.requests[0].method, "PUT");
  ASSERT_NE(FindHeader(http.requests[0].headers, "X-aws-ec2-metadata-token-ttl-seconds"), nullptr);
  EXPECT_EQ(*FindHeader(http.requests[0].headers, "X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(http.requests[i].method, "GET");
    ASSERT_NE(FindHeader(http.requests[i].headers, "X-aws-ec2-metadata-token"), nullptr);
    EXPECT_EQ(*FindHeader(http.requests[i].headers, "X-aws-ec2-metadata-token"),
              "AQAEAImdsSessionToken==");
  }
  EXPECT_EQ(http.requests[0].timeout, std::chrono::seconds(1));
}

TEST(ImdsProviderTest, NoServiceOrNoRoleIsNotConfigured) {
  FakeHttp http;
  ImdsProvider none(Environment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", kImds}}), http.Fetch());
  EXPECT_EQ(none.Fetch().error().code, ErrorCode::kNotFound);
  http.On("PUT", std::string(kImds) + "/latest/api/token", 200, "tok");
  http.On("GET", std::string(kImds) + "/latest/meta-data/iam/security-credentials/", 404, "");
  EXPECT_EQ(none.Fetch().error().code, ErrorCode::kNotFound);
  ImdsProvider disabled(Environment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", kImds},
                                     {"AWS_EC2_METADATA_DISABLED", "true"}}),
                        http.Fetch());
  size_t before = http.requests.size();
  EXPECT_EQ(disabled.Fetch().error().code, ErrorCode::kNotFound);
  EXPECT_EQ(http.requests.size(), before);
}

TEST(ImdsProviderTest, BadDocumentErrorHasNoSecret) {
  FakeHttp http;
  std::string base = kImds;
  http.On("PUT", base + "/latest/api/token", 200, "tok");
  http.On("GET", base + "/latest/meta-data/iam/security-credentials/", 200, "role");
  http.On("GET", base + "/latest/meta-data/iam/security-credentials/role", 200,
          CredentialsJson("Token", "yesterday"));
  auto creds =
      ImdsProvider(Environment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", base}}), http.Fetch())
          .Fetch();
  ExpectNoSecret(creds);
  EXPECT_EQ(creds.error().code, ErrorCode::kParse);
}

// --- timestamps -----------------------------------------------------------------------------

TEST(Iso8601Test, ParsesTheFormsAwsUses) {
  auto secs = [](std::string_view s) {
    auto t = ParseIso8601(s);
    EXPECT_TRUE(t.has_value()) << s;
    return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
  };
  EXPECT_EQ(secs("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(secs("2014-10-24T23:00:23Z"), kStsExpiration);
  EXPECT_EQ(secs("2014-10-24T23:00:23.512Z"), kStsExpiration);
  EXPECT_EQ(secs("2014-10-25T01:00:23+02:00"), kStsExpiration);
  // 2000-03-01 is day 11017 (leap year 2000 counted): 11017 * 86400.
  EXPECT_EQ(secs("2000-03-01T00:00:00Z"), 951868800);
  EXPECT_FALSE(ParseIso8601("2014-10-24 23:00").has_value());
  EXPECT_FALSE(ParseIso8601("2014-13-24T23:00:23Z").has_value());
  EXPECT_FALSE(ParseIso8601("2014-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("2014-02-29T00:00:00Z").has_value());
  EXPECT_TRUE(ParseIso8601("2016-02-29T00:00:00Z").has_value());
  EXPECT_FALSE(ParseIso8601("").has_value());
  // Fuzz finding (aws, 2026-12-02): a year past 2262 overflowed the nanosecond count (UBSan).
  // Such a time saturates: a far-future expiration is later than any time the clock can hold.
  EXPECT_EQ(ParseIso8601("3552-12-01T11:00:00.5+01:00").value(), Clock::WallTime::max());
  EXPECT_EQ(ParseIso8601("9999-12-31T23:59:59Z").value(), Clock::WallTime::max());
  EXPECT_FALSE(ParseIso8601("0001-01-01T00:00:00Z").has_value());
  EXPECT_EQ(FormatIso8601(ParseIso8601("2262-01-01T00:00:00Z").value()), "2262-01-01T00:00:00Z");
  EXPECT_EQ(FormatIso8601(Clock::WallTime(std::chrono::seconds(kStsExpiration))),
            "2014-10-24T23:00:23Z");
}

}  // namespace
}  // namespace tw::aws
