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

// ReadFileInto reads what ReadFile reads, into a buffer reused from file to file: a smaller file
// after a larger one is exactly its own bytes.
TEST(ReadFileInto, ReadsWholeFilesIntoAReusedBuffer) {
  const std::string gz = testing::TestDataPath(
      "111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz");
  const std::string two = testing::TestDataPath("two_members.ndjson.gz");
  Result<std::string> gz_whole = ReadFile(gz);
  Result<std::string> two_whole = ReadFile(two);
  ASSERT_TRUE(gz_whole && two_whole);
  ASSERT_GT(gz_whole->size(), two_whole->size());
  ByteBuffer buffer;
  ASSERT_TRUE(ReadFileInto(gz, buffer));
  EXPECT_EQ(buffer.size(), 914u);
  EXPECT_EQ(buffer.view(), *gz_whole);
  EXPECT_GE(buffer.capacity(), buffer.size() + kJsonPadding);
  ASSERT_TRUE(ReadFileInto(two, buffer));
  EXPECT_EQ(buffer.view(), *two_whole);
  EXPECT_GE(buffer.capacity(), buffer.size() + kJsonPadding);
}

// A file larger than its reported size (here /proc, which reports 0) grows the buffer.
TEST(ReadFileInto, ReadsFilesThatReportNoSize) {
  ByteBuffer buffer;
  ASSERT_TRUE(ReadFileInto("/proc/self/status", buffer));
  EXPECT_NE(buffer.view().find("Name:"), std::string_view::npos);
  EXPECT_EQ(buffer.view().back(), '\n');
}

TEST(ReadFileInto, ErrorsAsReadFileAndLeavesTheBufferEmpty) {
  ByteBuffer buffer;
  ASSERT_TRUE(ReadFileInto(testing::TestDataPath("two_members.ndjson.gz"), buffer));
  const std::string path = testing::TestDataPath("no-such-file.json.gz");
  Result<void> r = ReadFileInto(path, buffer);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
  EXPECT_EQ(buffer.size(), 0u);
  r = ReadFileInto(std::string(TW_TEST_DATA) + "/decode", buffer);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  r = ReadFileInto(testing::TestDataPath("two_members.ndjson.gz"), buffer, 10);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(buffer.size(), 0u);
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
