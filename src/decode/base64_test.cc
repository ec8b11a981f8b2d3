#include "decode/base64.h"

#include <gtest/gtest.h>

#include <string>

#include "decode/test_helpers.h"

namespace tw::decode {
namespace {

TEST(Base64Decode, Rfc4648Section10Vectors) {
  const std::pair<const char*, const char*> kVectors[] = {
      {"", ""},
      {"Zg==", "f"},
      {"Zm8=", "fo"},
      {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"},
      {"Zm9vYmE=", "fooba"},
      {"Zm9vYmFy", "foobar"},
  };
  for (const auto& [encoded, decoded] : kVectors) {
    SCOPED_TRACE(encoded);
    Result<std::string> r = Base64Decode(encoded);
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(*r, decoded);
  }
}

TEST(Base64Decode, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string data = all.substr(0, n) + all.substr(0, n % 3);
    Result<std::string> r = Base64Decode(testing::Base64Encode(data));
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(*r, data);
  }
  Result<std::string> r = Base64Decode("+/+/");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "\xfb\xff\xbf");
}

TEST(Base64Decode, RejectsNonCanonicalInput) {
  const char* kBad[] = {
      "Zm9",           // length not a multiple of 4
      "Zm9v\n",        // line break
      "Zm 9",          // space
      "Zm=v",          // padding in the middle
      "Zg==Zg==",      // padding before the end
      "Z===",          // three padding characters
      "====",          // padding only
      "Zh==",          // non-zero unused bits (canonical: Zg==)
      "Zm9=",          // non-zero unused bits (canonical: Zm8=)
      "Zm9v-_==",      // base64url alphabet
      "Zm9v\xc3\xa9",  // non-ASCII
  };
  for (const char* in : kBad) {
    SCOPED_TRACE(in);
    Result<std::string> r = Base64Decode(in);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kParse);
  }
}

TEST(Base64Decode, ErrorNamesOffset) {
  Result<std::string> r = Base64Decode("Zm9vYm*y");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "base64: invalid character '*' at offset 6");
}

TEST(Base64DecodeAppend, AppendsAndLeavesOutputAloneOnError) {
  std::string out = "x:";
  ASSERT_TRUE(Base64DecodeAppend("Zm9v", out));
  EXPECT_EQ(out, "x:foo");
  EXPECT_FALSE(Base64DecodeAppend("Zm9vYm!y", out));
  EXPECT_EQ(out, "x:foo");
}

}  // namespace
}  // namespace tw::decode
