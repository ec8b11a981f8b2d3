// The default chain's order over real providers (files in a temp dir, FakeHttp), and caching
// with refresh before expiry on a FakeClock.
#include "aws/credentials/credential_chain.h"

#include <gtest/gtest.h>

#include <string>

#include "aws/testing/fake_http.h"

namespace tw::aws {
namespace {

using namespace std::chrono_literals;
using testing::FakeHttp;
using testing::TempDir;

constexpr char kImds[] = "http://127.0.0.1:1338";

// An environment that points every file and endpoint into `dir` / the fake, so that nothing on
// the machine running the test (its ~/.aws, a real IMDS) is consulted.
Environment Isolated(const TempDir& dir) {
  return Environment({{"HOME", dir.path()},
                      {"AWS_CONFIG_FILE", dir.path() + "/config"},
                      {"AWS_SHARED_CREDENTIALS_FILE", dir.path() + "/credentials"},
                      {"AWS_EC2_METADATA_SERVICE_ENDPOINT", kImds}});
}

void ServeImds(FakeHttp& http) {
  std::string base = kImds;
  http.On("PUT", base + "/latest/api/token", 200, "imds-token");
  http.On("GET", base + "/latest/meta-data/iam/security-credentials/", 200, "role");
  http.On("GET", base + "/latest/meta-data/iam/security-credentials/role", 200,
          R"({"Code":"Success","AccessKeyId":"AKIDIMDS","SecretAccessKey":"s","Token":"t",)"
          R"("Expiration":"2030-01-01T00:00:00Z"})");
}

TEST(CredentialChainTest, EnvironmentWinsOverProfileAndImds) {
  TempDir dir;
  dir.Write("credentials",
            "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n");
  FakeHttp http;
  ServeImds(http);
  Environment env = Isolated(dir);
  env.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.Set("AWS_SECRET_ACCESS_KEY", "s");
  FakeClock clock;
  auto chain = CredentialChain::Default(env, "us-east-1", http.Fetch(), clock);
  auto creds = chain->Get();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "AKIDENV");
  EXPECT_EQ(chain->Winner(), "environment");
  EXPECT_TRUE(http.requests.empty());
}

TEST(CredentialChainTest, ProfileWinsOverContainerAndImds) {
  TempDir dir;
  dir.Write("credentials",
            "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n");
  FakeHttp http;
  ServeImds(http);
  Environment env = Isolated(dir);
  env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds");
  FakeClock clock;
  auto chain = CredentialChain::Default(env, "us-east-1", http.Fetch(), clock);
  auto creds = chain->Get();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "AKIDPROFILE");
  EXPECT_EQ(chain->Winner(), "profile");
  EXPECT_TRUE(http.requests.empty());
}

TEST(CredentialChainTest, ContainerWinsOverImds) {
  TempDir dir;
  FakeHttp http;
  ServeImds(http);
  http.On("GET", "http://169.254.170.2/v2/creds", 200,
          R"({"AccessKeyId":"AKIDECS","SecretAccessKey":"s","Token":"t",)"
          R"("Expiration":"2030-01-01T00:00:00Z"})");
  Environment env = Isolated(dir);
  env.Set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds");
  FakeClock clock;
  auto chain = CredentialChain::Default(env, "us-east-1", http.Fetch(), clock);
  auto creds = chain->Get();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "AKIDECS");
  EXPECT_EQ(chain->Winner(), "container");
}

TEST(CredentialChainTest, ImdsLastAndNothingFound) {
  TempDir dir;
  FakeHttp http;
  FakeClock clock;
  auto empty = CredentialChain::Default(Isolated(dir), "us-east-1", http.Fetch(), clock);
  auto none = empty->Get();
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(none.error().message,
            "no AWS credentials found: tried environment, web-identity, profile, container, imds");
  EXPECT_EQ(empty->Winner(), "");

  ServeImds(http);
  auto chain = CredentialChain::Default(Isolated(dir), "us-east-1", http.Fetch(), clock);
  auto creds = chain->Get();
  ASSERT_TRUE(creds.has_value()) << creds.error().ToString();
  EXPECT_EQ(creds->access_key_id, "AKIDIMDS");
  EXPECT_EQ(chain->Winner(), "imds");
}

TEST(CredentialChainTest, ConfiguredButFailingProviderStopsTheChain) {
  TempDir dir;
  dir.Write("credentials",
            "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\n");
  FakeHttp http;  // STS does not answer
  Environment env = Isolated(dir);
  env.Set("AWS_WEB_IDENTITY_TOKEN_FILE", dir.Write("token", "jwt"));
  env.Set("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r");
  FakeClock clock;
  auto chain = CredentialChain::Default(env, "us-east-1", http.Fetch(), clock);
  auto creds = chain->Get();
  ASSERT_FALSE(creds.has_value());
  EXPECT_EQ(creds.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(creds.error().message.find("web identity"), std::string::npos);
}

// A provider that hands out credentials expiring `lifetime` after each fetch.
class CountingProvider final : public CredentialsProvider {
 public:
  CountingProvider(const Clock& clock, std::chrono::seconds lifetime, int* fetches, bool* fail)
      : clock_(clock), lifetime_(lifetime), fetches_(fetches), fail_(fail) {}
  std::string_view Name() const override { return "counting"; }
  Result<Credentials> Fetch() override {
    ++*fetches_;
    if (*fail_) return Fail(ErrorCode::kUnavailable, "down");
    Credentials c{"AKID" + std::to_string(*fetches_), "s", "t", clock_.Now() + lifetime_, ""};
    return c;
  }

 private:
  const Clock& clock_;
  std::chrono::seconds lifetime_;
  int* fetches_;
  bool* fail_;
};

TEST(CredentialChainTest, RefreshesFiveMinutesBeforeExpiry) {
  FakeClock clock;
  int fetches = 0;
  bool fail = false;
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  providers.push_back(std::make_unique<CountingProvider>(clock, 3600s, &fetches, &fail));
  CredentialChain chain(std::move(providers), clock);

  EXPECT_EQ(chain.Get()->access_key_id, "AKID1");
  EXPECT_EQ(chain.Winner(), "counting");
  EXPECT_EQ(chain.Get()->source, "counting");
  clock.Advance(54min + 59s);  // 5 min 1 s before expiry: still cached
  EXPECT_EQ(chain.Get()->access_key_id, "AKID1");
  EXPECT_EQ(fetches, 1);
  clock.Advance(1s);  // exactly 5 min before expiry: refresh
  EXPECT_EQ(chain.Get()->access_key_id, "AKID2");
  EXPECT_EQ(fetches, 2);
}

TEST(CredentialChainTest, FailedRefreshKeepsValidCredentialsUntilTheyExpire) {
  FakeClock clock;
  int fetches = 0;
  bool fail = false;
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  providers.push_back(std::make_unique<CountingProvider>(clock, 3600s, &fetches, &fail));
  CredentialChain chain(std::move(providers), clock);
  ASSERT_TRUE(chain.Get().has_value());
  fail = true;
  clock.Advance(57min);
  auto still = chain.Get();
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(still->access_key_id, "AKID1");
  EXPECT_EQ(fetches, 2);  // it did try
  clock.Advance(3min);    // now expired
  auto expired = chain.Get();
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, ErrorCode::kUnavailable);
  fail = false;
  EXPECT_EQ(chain.Get()->access_key_id, "AKID4");
}

TEST(CredentialChainTest, LongTermCredentialsAreFetchedOnce) {
  TempDir dir;
  FakeHttp http;
  Environment env = Isolated(dir);
  env.Set("AWS_ACCESS_KEY_ID", "AKIDENV");
  env.Set("AWS_SECRET_ACCESS_KEY", "s");
  FakeClock clock;
  auto chain = CredentialChain::Default(env, "", http.Fetch(), clock);
  ASSERT_TRUE(chain->Get().has_value());
  clock.Advance(24h * 365);
  ASSERT_TRUE(chain->Get().has_value());
  chain->Invalidate();
  EXPECT_EQ(chain->Winner(), "");
}

}  // namespace
}  // namespace tw::aws
