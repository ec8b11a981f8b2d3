#include "sinks/file/file_sink.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "sinks/slack/test_alert.h"

namespace tw::sinks::file {
namespace {

void TinyJson(const alert::Alert& a, std::string& out) { out += "{\"id\":\"" + a.id + "\"}"; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TempPath(const char* name) {
  return ::testing::TempDir() + "/" + name + "-" + std::to_string(::getpid()) + ".ndjson";
}

TEST(FileSinkTest, AppendsOneLinePerAlert) {
  const std::string path = TempPath("file_sink_append");
  std::remove(path.c_str());
  {
    std::ofstream pre(path);
    pre << "{\"id\":\"earlier\"}\n";
  }
  FileOptions options;
  options.path = path;
  auto sink = FileSink::Create(options, TinyJson);
  ASSERT_TRUE(sink) << sink.error().ToString();
  alert::Alert a = testing::SampleAlert();
  EXPECT_EQ((*sink)->Deliver(a, "").status, DeliveryStatus::kDelivered);
  a.id = "second";
  EXPECT_EQ((*sink)->Deliver(a, "").status, DeliveryStatus::kDelivered);
  EXPECT_EQ(ReadAll(path),
            "{\"id\":\"earlier\"}\n{\"id\":\"a1b2c3d4e5f60718\"}\n{\"id\":\"second\"}\n");
  std::remove(path.c_str());
}

TEST(FileSinkTest, ReopenAfterRotation) {
  const std::string path = TempPath("file_sink_rotate");
  const std::string rotated = path + ".1";
  std::remove(path.c_str());
  std::remove(rotated.c_str());
  FileOptions options;
  options.path = path;
  options.fsync = FsyncPolicy::kNever;
  auto sink = FileSink::Create(options, TinyJson);
  ASSERT_TRUE(sink);
  alert::Alert a = testing::SampleAlert();
  a.id = "before";
  ASSERT_EQ((*sink)->Deliver(a, "").status, DeliveryStatus::kDelivered);
  ASSERT_EQ(std::rename(path.c_str(), rotated.c_str()), 0);  // logrotate moves the file
  (*sink)->Reopen();
  a.id = "after";
  ASSERT_EQ((*sink)->Deliver(a, "").status, DeliveryStatus::kDelivered);
  EXPECT_EQ(ReadAll(rotated), "{\"id\":\"before\"}\n");
  EXPECT_EQ(ReadAll(path), "{\"id\":\"after\"}\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::remove(path.c_str());
  std::remove(rotated.c_str());
}

TEST(FileSinkTest, UnopenablePathFails) {
  FileOptions options;
  options.path = "/nonexistent-dir/x.ndjson";
  auto sink = FileSink::Create(options, TinyJson);
  ASSERT_FALSE(sink);
  EXPECT_EQ(sink.error().code, ErrorCode::kIo);
}

}  // namespace
}  // namespace tw::sinks::file
