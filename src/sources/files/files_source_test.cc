#include "sources/files/files_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace tw::sources {
namespace {

namespace fs = std::filesystem;

class ExpandInputsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("tw_expand_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  void Touch(const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ofstream(p) << "{}\n";
  }
  std::string P(const std::string& rel) const { return (root_ / rel).string(); }

  fs::path root_;
};

// Issue 8, defect 5: a symlinked directory is walked.
TEST_F(ExpandInputsTest, FollowsASymlinkedDirectory) {
  Touch(root_ / "elsewhere" / "b.json");
  Touch(root_ / "in" / "a.json");
  fs::create_directory_symlink(root_ / "elsewhere", root_ / "in" / "linked");
  std::vector<ExpandError> errors;
  const auto files = ExpandInputs({P("in")}, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(files, (std::vector<std::string>{P("in") + "/a.json", P("in") + "/linked/b.json"}));
}

// A link back to an ancestor ends (device + inode), and every file is still listed once.
TEST_F(ExpandInputsTest, ALinkLoopEndsAndListsEachFileOnce) {
  Touch(root_ / "in" / "sub" / "a.json");
  fs::create_directory_symlink(root_ / "in", root_ / "in" / "sub" / "up");
  std::vector<ExpandError> errors;
  const auto files = ExpandInputs({P("in")}, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(files, (std::vector<std::string>{P("in") + "/sub/a.json"}));
}

// Entries that cannot be read are reported, one error each, and the rest is still listed.
TEST_F(ExpandInputsTest, ReportsEveryEntryThatCannotBeRead) {
  Touch(root_ / "in" / "a.json");
  fs::create_symlink(root_ / "nowhere", root_ / "in" / "dangling");
  fs::create_symlink(root_ / "in" / "loop2", root_ / "in" / "loop1");  // ELOOP, even for root
  fs::create_symlink(root_ / "in" / "loop1", root_ / "in" / "loop2");
  ASSERT_EQ(::mkfifo(P("in/fifo").c_str(), 0600), 0);
  std::vector<ExpandError> errors;
  const auto files = ExpandInputs({P("in")}, errors);
  EXPECT_EQ(files, (std::vector<std::string>{P("in") + "/a.json"}));
  std::vector<std::string> bad;
  for (const auto& e : errors) bad.push_back(e.input);
  EXPECT_EQ(bad, (std::vector<std::string>{P("in") + "/dangling", P("in") + "/fifo",
                                           P("in") + "/loop1", P("in") + "/loop2"}));
}

TEST_F(ExpandInputsTest, AnUnreadableDirectoryIsAnError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every directory";
  Touch(root_ / "in" / "locked" / "a.json");
  fs::permissions(root_ / "in" / "locked", fs::perms::none);
  std::vector<ExpandError> errors;
  const auto files = ExpandInputs({P("in")}, errors);
  fs::permissions(root_ / "in" / "locked", fs::perms::owner_all);
  EXPECT_TRUE(files.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].input, P("in") + "/locked");
}

TEST_F(ExpandInputsTest, AMissingPathIsNotFound) {
  std::vector<ExpandError> errors;
  EXPECT_TRUE(ExpandInputs({P("missing")}, errors).empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].error.code, ErrorCode::kNotFound);
}

// A file larger than the window whose first window is NDJSON is handed out as windows of whole
// lines: window 64, lines of 20 bytes ("{\"eventName\":\"Ann\"}" is 19 + '\n'), so three
// lines a window (60 bytes; the fourth does not fit whole). A line of 99 bytes and its '\n'
// (LineReader counts a line without its newline) is longer than max_line 80: an error batch
// naming line 8, and the file goes on.
TEST_F(ExpandInputsTest, ALargeNdjsonFileIsReadInWindowsOfWholeLines) {
  const std::string line = "{\"eventName\":\"Ann\"}\n";
  ASSERT_EQ(line.size(), 20u);
  const std::string longline = "{\"eventName\":\"" + std::string(83, 'x') + "\"}\n";
  ASSERT_EQ(longline.size(), 100u);
  std::string text;
  for (int i = 0; i < 7; ++i) text += line;
  text += longline;
  text += line + line;
  const fs::path path = root_ / "big.ndjson";
  std::ofstream(path) << text;
  FilesSource source({path.string()}, decode::LineReaderOptions{64, 80});
  std::atomic<bool> stop{false};
  std::vector<uint64_t> first_lines, parts;
  std::string joined;
  std::vector<std::string> errors;
  for (;;) {
    auto batch = source.Next(stop);
    ASSERT_TRUE(batch.has_value());
    if (!batch->has_value()) break;
    parts.push_back((*batch)->part);
    if ((*batch)->error) {
      errors.push_back((*batch)->error->message);
      continue;
    }
    EXPECT_TRUE((*batch)->line_window);
    ASSERT_EQ((*batch)->documents.size(), 1u);
    first_lines.push_back((*batch)->first_line);
    joined += (*batch)->documents[0];
  }
  EXPECT_EQ(first_lines, (std::vector<uint64_t>{0, 3, 6, 8}));
  EXPECT_EQ(parts, (std::vector<uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(joined, text.substr(0, 7 * 20) + line + line);
  EXPECT_EQ(
      errors,
      (std::vector<std::string>{"line 8: 99 bytes, longer than the 80-byte line limit; skipped"}));
}

// The same file with every window's document handed back (Recycle), as the pipeline does: the
// same lines and line numbers, and the windows are read into two buffers in turn, the batch's
// document being the buffer the lines were read into (no copy).
TEST_F(ExpandInputsTest, WindowBuffersHandedBackAreReadIntoAgain) {
  const std::string line = "{\"eventName\":\"Ann\"}\n";
  std::string text;
  for (int i = 0; i < 11; ++i) text += line;  // four windows: 3 + 3 + 3 + 2 lines
  const fs::path path = root_ / "big.ndjson";
  std::ofstream(path) << text;
  FilesSource source({path.string()}, decode::LineReaderOptions{64, 80});
  std::atomic<bool> stop{false};
  std::vector<uint64_t> first_lines;
  std::vector<const char*> buffers;
  std::string joined;
  for (;;) {
    auto batch = source.Next(stop);
    ASSERT_TRUE(batch.has_value());
    if (!batch->has_value()) break;
    ASSERT_FALSE((*batch)->error.has_value());
    ASSERT_EQ((*batch)->documents.size(), 1u);
    const std::string& doc = (*batch)->documents[0];
    EXPECT_GE(doc.capacity(), doc.size() + 64);  // simdjson padding
    first_lines.push_back((*batch)->first_line);
    buffers.push_back(doc.data());
    joined += doc;
    source.Recycle(std::move((*batch)->documents));
  }
  EXPECT_EQ(joined, text);
  EXPECT_EQ(first_lines, (std::vector<uint64_t>{0, 3, 6, 9}));
  ASSERT_EQ(buffers.size(), 4u);
  EXPECT_NE(buffers[0], buffers[1]);
  EXPECT_EQ(buffers[2], buffers[0]);
  EXPECT_EQ(buffers[3], buffers[1]);
}

// A file of at most one window, and a larger file that is not NDJSON (one CloudTrail file on
// one line), are each one batch, read whole by the worker that takes it (Batch::read_input: the
// batch names the file and carries no bytes), as is a path that cannot be read (the worker
// reports it).
TEST_F(ExpandInputsTest, SmallFilesAndNonNdjsonFilesAreLeftToTheWorkerToReadWhole) {
  const fs::path small = root_ / "small.ndjson";
  std::ofstream(small) << "{\"eventName\":\"A\"}\n{\"eventName\":\"B\"}\n";
  const fs::path trail = root_ / "trail.json";
  std::string records = "{\"Records\":[";
  for (int i = 0; i < 10; ++i) records += (i ? "," : "") + std::string("{\"eventName\":\"A\"}");
  records += "]}";
  std::ofstream(trail) << records;
  ASSERT_GT(records.size(), 64u);
  const fs::path missing = root_ / "missing.json";
  FilesSource source({small.string(), trail.string(), missing.string()},
                     decode::LineReaderOptions{64, 80});
  std::atomic<bool> stop{false};
  for (const fs::path& expected : {small, trail, missing}) {
    auto batch = source.Next(stop);
    ASSERT_TRUE(batch.has_value() && batch->has_value());
    EXPECT_EQ((*batch)->input, expected.string());
    EXPECT_TRUE((*batch)->read_input);
    EXPECT_FALSE((*batch)->error);
    EXPECT_FALSE((*batch)->line_window);
    EXPECT_EQ((*batch)->part, 0u);
    EXPECT_TRUE((*batch)->documents.empty());
  }
  auto end = source.Next(stop);
  ASSERT_TRUE(end.has_value());
  EXPECT_FALSE(end->has_value());
}

}  // namespace
}  // namespace tw::sources
