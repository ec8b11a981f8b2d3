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

}  // namespace
}  // namespace tw::sources
