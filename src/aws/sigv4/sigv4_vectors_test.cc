// Every case of the AWS SigV4 test suite (tests/data/vectors/sigv4/v4, from awslabs/aws-c-auth;
// see its README) as one named test, in header form and in presigned (query) form. Expected
// values are the suite's files, compared byte for byte.
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

const fs::path kSuite = fs::path(TW_TEST_DATA) / "vectors" / "sigv4" / "v4";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kSuite)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct VectorCase {
  HttpRequest request;
  Credentials credentials;
  SigningParams params;
};

// Parses request.txt: request line, headers (a line starting with whitespace continues the
// previous header's value), a blank line, then the body.
HttpRequest ParseRequestTxt(const std::string& text) {
  HttpRequest request;
  size_t line_end = text.find('\n');
  std::string line = text.substr(0, line_end);
  size_t sp = line.find(' ');
  size_t proto = line.rfind(" HTTP/");
  request.method = line.substr(0, sp);
  std::string target = line.substr(sp + 1, proto - sp - 1);
  size_t pos = line_end == std::string::npos ? text.size() : line_end + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string l = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? text.size() : end + 1;
    if (l.empty()) {
      request.body = text.substr(pos);
      break;
    }
    if ((l[0] == ' ' || l[0] == '\t') && !request.headers.empty()) {
      request.headers.back().second += "\n" + l;
      continue;
    }
    size_t colon = l.find(':');
    request.headers.emplace_back(l.substr(0, colon), l.substr(colon + 1));
  }
  const std::string* host = FindHeader(request.headers, "host");
  request.url = "https://" + (host ? *host : std::string("example.amazonaws.com")) + target;
  return request;
}

VectorCase LoadCase(const std::string& name) {
  VectorCase c;
  fs::path dir = kSuite / name;
  c.request = ParseRequestTxt(Slurp(dir / "request.txt"));
  simdjson::dom::parser parser;
  simdjson::dom::element ctx;
  std::string json = Slurp(dir / "context.json");
  EXPECT_EQ(parser.parse(json).get(ctx), simdjson::SUCCESS);
  std::string_view s;
  EXPECT_EQ(ctx["credentials"]["access_key_id"].get(s), simdjson::SUCCESS);
  c.credentials.access_key_id = std::string(s);
  EXPECT_EQ(ctx["credentials"]["secret_access_key"].get(s), simdjson::SUCCESS);
  c.credentials.secret_access_key = std::string(s);
  if (ctx["credentials"]["token"].get(s) == simdjson::SUCCESS) {
    c.credentials.session_token = std::string(s);
  }
  EXPECT_EQ(ctx["region"].get(s), simdjson::SUCCESS);
  c.params.region = std::string(s);
  EXPECT_EQ(ctx["service"].get(s), simdjson::SUCCESS);
  c.params.service = std::string(s);
  EXPECT_EQ(ctx["timestamp"].get(s), simdjson::SUCCESS);
  auto time = ParseIso8601(s);
  EXPECT_TRUE(time.has_value());
  c.params.time = time.value_or(Clock::WallTime{});
  bool b = false;
  if (ctx["normalize"].get(b) == simdjson::SUCCESS) c.params.normalize_path = b;
  if (ctx["sign_body"].get(b) == simdjson::SUCCESS) c.params.add_content_sha256 = b;
  if (ctx["omit_session_token"].get(b) == simdjson::SUCCESS) c.params.omit_session_token = b;
  int64_t expires = 0;
  if (ctx["expiration_in_seconds"].get(expires) == simdjson::SUCCESS) {
    c.params.presign_expires = std::chrono::seconds(expires);
  }
  return c;
}

// The Authorization header value in header-signed-request.txt.
std::string ExpectedAuthorization(const fs::path& dir) {
  std::string text = Slurp(dir / "header-signed-request.txt");
  size_t at = text.find("\nAuthorization:");
  if (at == std::string::npos) return "";
  size_t start = at + std::string("\nAuthorization:").size();
  return text.substr(start, text.find('\n', start) - start);
}

class SigV4SuiteTest : public testing::TestWithParam<std::string> {};

TEST_P(SigV4SuiteTest, HeaderSigning) {
  fs::path dir = kSuite / GetParam();
  VectorCase c = LoadCase(GetParam());
  auto parts = SignRequest(c.request, c.credentials, c.params);
  ASSERT_TRUE(parts.has_value()) << parts.error().ToString();
  EXPECT_EQ(parts->canonical_request, Slurp(dir / "header-canonical-request.txt"));
  EXPECT_EQ(parts->string_to_sign, Slurp(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(parts->signature, Slurp(dir / "header-signature.txt"));
  EXPECT_EQ(parts->authorization, ExpectedAuthorization(dir));
  const std::string* auth = FindHeader(c.request.headers, "authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(*auth, parts->authorization);
  if (!c.credentials.session_token.empty()) {
    const std::string* token = FindHeader(c.request.headers, "x-amz-security-token");
    ASSERT_NE(token, nullptr);
    EXPECT_EQ(*token, c.credentials.session_token);
  }
}

TEST_P(SigV4SuiteTest, QuerySigning) {
  fs::path dir = kSuite / GetParam();
  VectorCase c = LoadCase(GetParam());
  auto parts = PresignRequest(c.request, c.credentials, c.params);
  ASSERT_TRUE(parts.has_value()) << parts.error().ToString();
  EXPECT_EQ(parts->canonical_request, Slurp(dir / "query-canonical-request.txt"));
  EXPECT_EQ(parts->string_to_sign, Slurp(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(parts->signature, Slurp(dir / "query-signature.txt"));
  EXPECT_NE(c.request.url.find("X-Amz-Signature=" + parts->signature), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Suite, SigV4SuiteTest, testing::ValuesIn(CaseNames()),
                         [](const testing::TestParamInfo<std::string>& p) {
                           std::string name = p.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SigV4SuiteTest, SuiteIsPresent) { EXPECT_EQ(CaseNames().size(), 38u); }

}  // namespace
}  // namespace tw::aws
