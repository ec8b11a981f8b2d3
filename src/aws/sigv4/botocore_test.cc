// Our signer against requests botocore signed (tests/data/vectors/sigv4/botocore, generated once
// by tests/tools/gen_botocore_sigv4.py with fixed credentials and time). Each case gives the
// request botocore signed minus the headers signing adds; we sign it with
// SigningParams::For(service, ...) and must produce botocore's Authorization header exactly.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "aws/sigv4/sigv4_signer.h"

namespace tw::aws {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(TW_TEST_DATA) / "vectors" / "sigv4" / "botocore";

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Str(simdjson::dom::element e, const char* key) {
  std::string_view s;
  EXPECT_EQ(e[key].get(s), simdjson::SUCCESS) << key;
  return std::string(s);
}

bool IsAddedBySigning(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "authorization" || lower == "x-amz-date" || lower == "x-amz-security-token" ||
         lower == "x-amz-content-sha256";
}

class BotocoreTest : public testing::TestWithParam<std::string> {};

TEST_P(BotocoreTest, SameAuthorizationAsBotocore) {
  std::ifstream in(kDir / (GetParam() + ".json"), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string json = ss.str();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS);

  HttpRequest request;
  request.method = Str(doc, "method");
  request.url = Str(doc, "url");
  request.body = Str(doc, "body");
  HttpHeaders botocore_headers;
  simdjson::dom::array headers;
  ASSERT_EQ(doc["headers"].get(headers), simdjson::SUCCESS);
  for (simdjson::dom::element h : headers) {
    std::string_view name, value;
    ASSERT_EQ(h.at(0).get(name), simdjson::SUCCESS);
    ASSERT_EQ(h.at(1).get(value), simdjson::SUCCESS);
    botocore_headers.emplace_back(std::string(name), std::string(value));
    if (!IsAddedBySigning(name)) request.headers.emplace_back(name, value);
  }
  Credentials creds;
  creds.access_key_id = Str(doc, "access_key_id");
  creds.secret_access_key = Str(doc, "secret_access_key");
  std::string_view token;
  if (doc["session_token"].get(token) == simdjson::SUCCESS) creds.session_token = token;
  auto time = ParseIso8601(Str(doc, "time"));
  ASSERT_TRUE(time.has_value());
  SigningParams params = SigningParams::For(Str(doc, "service"), Str(doc, "region"), *time);
  const std::string* boto_sha = FindHeader(botocore_headers, "x-amz-content-sha256");
  params.unsigned_payload = boto_sha != nullptr && *boto_sha == kUnsignedPayload;

  auto parts = SignRequest(request, creds, params);
  ASSERT_TRUE(parts.has_value()) << parts.error().ToString();
  EXPECT_EQ(parts->authorization, Str(doc, "expected_authorization")) << "canonical request:\n"
                                                                      << parts->canonical_request;
  for (const char* name : {"x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}) {
    const std::string* theirs = FindHeader(botocore_headers, name);
    const std::string* ours = FindHeader(request.headers, name);
    ASSERT_EQ(theirs == nullptr, ours == nullptr) << name;
    if (theirs) {
      EXPECT_EQ(*ours, *theirs) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Botocore, BotocoreTest, testing::ValuesIn(CaseNames()),
                         [](const testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(BotocoreTest, AllCasesPresent) { EXPECT_EQ(CaseNames().size(), 7u); }

// S3 keys are encoded once: a key that is already %-encoded on the wire is signed as is, while
// other services encode the wire path again (the AWS docs' "double encoding").
TEST(SigV4PathTest, S3EncodesOnceOthersTwice) {
  EXPECT_EQ(CanonicalUri("/a%20b/%C3%BC%2B~", /*double_encode=*/false, /*normalize=*/false),
            "/a%20b/%C3%BC%2B~");
  EXPECT_EQ(CanonicalUri("/a%20b", /*double_encode=*/true, /*normalize=*/true), "/a%2520b");
  // S3 never normalises: "a/../b" and "//" are parts of real keys.
  EXPECT_EQ(CanonicalUri("/bucket/a/../b//c", false, false), "/bucket/a/../b//c");
  EXPECT_EQ(CanonicalUri("/bucket/a/../b//c", true, true), "/bucket/b/c");
}

TEST(SigV4PathTest, UnsignedPayloadForS3) {
  HttpRequest request{"PUT", "https://b.s3.amazonaws.com/k", {}, "data", {}};
  Credentials creds{"AKID", "SECRET", "", std::nullopt, "test"};
  SigningParams params = SigningParams::For("s3", "us-east-1", Clock::WallTime{});
  params.unsigned_payload = true;
  auto parts = SignRequest(request, creds, params);
  ASSERT_TRUE(parts.has_value());
  EXPECT_TRUE(parts->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  ASSERT_NE(FindHeader(request.headers, "x-amz-content-sha256"), nullptr);
  EXPECT_EQ(*FindHeader(request.headers, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
}

TEST(SigV4PathTest, SigningAgainReplacesDateTokenAndAuthorization) {
  HttpRequest request{"GET", "https://sqs.eu-west-1.amazonaws.com/?Action=ListQueues", {}, "", {}};
  Credentials temporary{"ASIA1", "s1", "token-1", std::nullopt, "imds"};
  Credentials long_term{"AKIA2", "s2", "", std::nullopt, "environment"};
  ASSERT_TRUE(SignRequest(request, temporary, SigningParams::For("sqs", "eu-west-1", {})));
  auto again = SignRequest(
      request, long_term,
      SigningParams::For("sqs", "eu-west-1", Clock::WallTime{} + std::chrono::hours(1)));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(FindHeader(request.headers, "x-amz-security-token"), nullptr);
  EXPECT_EQ(*FindHeader(request.headers, "x-amz-date"), "19700101T010000Z");
  int authorizations = 0;
  for (const auto& h : request.headers) authorizations += h.first == "Authorization";
  EXPECT_EQ(authorizations, 1);
  EXPECT_NE(again->canonical_request.find("\nhost;x-amz-date\n"), std::string::npos)
      << again->canonical_request;
}

TEST(SigV4PathTest, MissingKeyIsAnErrorWithoutTheSecret) {
  HttpRequest request{"GET", "https://sts.amazonaws.com/", {}, "", {}};
  Credentials creds{"", "TopSecretValue", "", std::nullopt, "test"};
  auto parts = SignRequest(request, creds, SigningParams::For("sts", "us-east-1", {}));
  ASSERT_FALSE(parts.has_value());
  EXPECT_EQ(parts.error().message.find("TopSecretValue"), std::string::npos);
}

}  // namespace
}  // namespace tw::aws
