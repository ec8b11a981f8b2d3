#include "decode/file_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "decode/gzip.h"
#include "decode/test_helpers.h"

namespace tw::decode {
namespace {

TEST(ReadFile, ReadsWholeFileWithPadding) {
  Result<std::string> r = ReadFile(
      testing::TestDataPath("111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U"
                            ".json.gz"));
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->size(), 914u);
  EXPECT_TRUE(LooksGzip(*r));
  EXPECT_GE(r->capacity(), r->size() + kJsonPadding);
}

TEST(ReadFile, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = testing::TestDataPath("no-such-file.json.gz");
  Result<std::string> r = ReadFile(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
}

TEST(ReadFile, DirectoryIsIoError) {
  Result<std::string> r = ReadFile(std::string(TW_TEST_DATA) + "/decode");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
}

TEST(ReadFile, EnforcesLimit) {
  Result<std::string> r = ReadFile(testing::TestDataPath("two_members.ndjson.gz"), 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
}

TEST(ReadStream, ReadsUntilEof) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::string data(200000, 'z');
  data += "tail";
  ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
  std::rewind(f);
  Result<std::string> r = ReadStream(f);
  std::fclose(f);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(*r, data);
  EXPECT_GE(r->capacity(), r->size() + kJsonPadding);
}

TEST(ReadStream, EmptyStream) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Result<std::string> r = ReadStream(f);
  std::fclose(f);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "");
}

}  // namespace
}  // namespace tw::decode
