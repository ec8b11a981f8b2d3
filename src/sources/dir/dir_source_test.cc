#include "sources/dir/dir_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <string>

#include "state/memory/memory_state_store.h"

namespace tw::sources {
namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

class DirSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tw_dir_source_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    dir_ = root_ / "in";
    fs::create_directory(dir_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<DirSource> Make(bool poll = false, state::StateStore* store = nullptr,
                                  const Clock* clock = nullptr) {
    DirOptions options;
    options.path = dir_.string();
    options.poll = poll;
    auto source = DirSource::Create(options, store, clock ? *clock : clock_);
    EXPECT_TRUE(source.has_value()) << (source ? "" : source.error().ToString());
    return source ? std::move(*source) : nullptr;
  }

  // The next batch, waiting at most 10 s for it (a missing batch fails instead of hanging).
  std::optional<Batch> NextBatch(DirSource& source) {
    std::atomic<bool> stop{false};
    auto future = std::async(std::launch::async, [&] { return source.Next(stop); });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      stop = true;
      ADD_FAILURE() << "no batch within 10 s";
    }
    auto batch = future.get();
    EXPECT_TRUE(batch.has_value());
    if (!batch || !*batch) return std::nullopt;
    return std::move(**batch);
  }
  // Takes the next batch, checks it names `relative` and holds `bytes`, and acks it (committing
  // its checkpoint to `store` first, as the pipeline does).
  void ExpectFile(DirSource& source, const std::string& relative, const std::string& bytes,
                  state::StateStore* store = nullptr) {
    auto batch = NextBatch(source);
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ(batch->input, (dir_ / relative).string());
    ASSERT_FALSE(batch->error.has_value()) << batch->error->ToString();
    ASSERT_EQ(batch->documents.size(), 1u);
    EXPECT_EQ(batch->documents[0], bytes);
    EXPECT_EQ(batch->checkpoint.source, "dir");
    EXPECT_EQ(batch->checkpoint.key.substr(0, relative.size() + 1), relative + "|");
    EXPECT_EQ(batch->checkpoint.value, "done");
    if (store != nullptr) {
      ASSERT_TRUE(store->Commit({}, {batch->checkpoint}).has_value());
    }
    source.Ack(*batch);
  }

  FakeClock clock_;
  fs::path root_;
  fs::path dir_;
};

TEST(DirSourceNamesTest, TemporaryNamesAreIgnored) {
  EXPECT_FALSE(DirSource::Ignored("a.json.gz"));
  EXPECT_FALSE(DirSource::Ignored("sub/dir/a.json"));
  EXPECT_FALSE(DirSource::Ignored("a.tmp.json"));
  EXPECT_TRUE(DirSource::Ignored(".hidden.json"));
  EXPECT_TRUE(DirSource::Ignored("sub/.partial/a.json"));
  EXPECT_TRUE(DirSource::Ignored("a.json.tmp"));
  EXPECT_TRUE(DirSource::Ignored("sub/a.json.part"));
}

TEST(DirSourceNamesTest, CheckpointKeyIsPathSizeAndMtime) {
  EXPECT_EQ(DirSource::CheckpointKey("sub/a.json", 1234, 1700000000123456789),
            "sub/a.json|1234|1700000000123456789");
}

TEST_F(DirSourceTest, RejectsAMissingOrNonDirectoryPath) {
  DirOptions options;
  options.path = (root_ / "nope").string();
  auto missing = DirSource::Create(options, nullptr, clock_);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  WriteFile(root_ / "file", "x");
  options.path = (root_ / "file").string();
  EXPECT_FALSE(DirSource::Create(options, nullptr, clock_).has_value());
}

TEST_F(DirSourceTest, FilesPresentAtStartAreTakenInPathOrder) {
  fs::create_directory(dir_ / "sub");
  WriteFile(dir_ / "b.json", "B");
  WriteFile(dir_ / "a.json", "A");
  WriteFile(dir_ / "sub" / "c.json", "C");
  WriteFile(dir_ / ".hidden.json", "H");
  WriteFile(dir_ / "d.json.tmp", "T");
  auto source = Make();
  ASSERT_EQ(source->mode(), DirSource::Mode::kInotify);
  ExpectFile(*source, "a.json", "A");
  ExpectFile(*source, "b.json", "B");
  ExpectFile(*source, "sub/c.json", "C");
}

TEST_F(DirSourceTest, AFileIsTakenWhenClosedNotWhileBeingWritten) {
  auto source = Make();
  const int writing = ::open((dir_ / "a.json").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(writing, 0);
  ASSERT_EQ(::write(writing, "{\"Rec", 5), 5);
  WriteFile(dir_ / "b.json", "B");  // complete: taken first although created second
  ExpectFile(*source, "b.json", "B");
  ASSERT_EQ(::write(writing, "ords\":[]}", 9), 9);
  ASSERT_EQ(::close(writing), 0);
  ExpectFile(*source, "a.json", "{\"Records\":[]}");
}

TEST_F(DirSourceTest, ATemporaryNameIsTakenOnceRenamed) {
  auto source = Make();
  WriteFile(dir_ / "x.json.part", "X");  // closed, but a temporary name
  WriteFile(dir_ / ".y.json", "Y");
  WriteFile(dir_ / "z.json", "Z");
  ExpectFile(*source, "z.json", "Z");
  fs::rename(dir_ / "x.json.part", dir_ / "x.json");
  ExpectFile(*source, "x.json", "X");
  fs::rename(dir_ / ".y.json", dir_ / "y.json");
  ExpectFile(*source, "y.json", "Y");
}

TEST_F(DirSourceTest, NewSubdirectoriesAreWatched) {
  auto source = Make();
  fs::create_directories(dir_ / "2026" / "12");
  WriteFile(dir_ / "2026" / "12" / "e.json", "E");
  ExpectFile(*source, "2026/12/e.json", "E");
  WriteFile(dir_ / "2026" / "12" / "f.json", "F");  // the watch exists now
  ExpectFile(*source, "2026/12/f.json", "F");
  // A directory moved in with files already inside.
  fs::create_directory(root_ / "outside");
  WriteFile(root_ / "outside" / "g.json", "G");
  fs::rename(root_ / "outside", dir_ / "moved");
  ExpectFile(*source, "moved/g.json", "G");
}

TEST_F(DirSourceTest, ARestartNeitherReReadsNorSkips) {
  state::MemoryStateStore store(clock_);
  WriteFile(dir_ / "a.json", "A");
  {
    auto source = Make(false, &store);
    ExpectFile(*source, "a.json", "A", &store);
    WriteFile(dir_ / "b.json", "B");
    auto batch = NextBatch(*source);  // read, but the process dies before the commit
    ASSERT_TRUE(batch.has_value());
  }
  WriteFile(dir_ / "c.json", "C");  // arrives while trailwatch is down
  auto source = Make(false, &store);
  ExpectFile(*source, "b.json", "B", &store);  // a.json is not read again
  ExpectFile(*source, "c.json", "C", &store);
  WriteFile(dir_ / "d.json", "D");
  ExpectFile(*source, "d.json", "D", &store);
}

TEST_F(DirSourceTest, ARewrittenFileIsANewInput) {
  state::MemoryStateStore store(clock_);
  auto source = Make(false, &store);
  WriteFile(dir_ / "a.json", "A1");
  ExpectFile(*source, "a.json", "A1", &store);
  WriteFile(dir_ / "a.json", "A2 longer");
  ExpectFile(*source, "a.json", "A2 longer", &store);
}

TEST_F(DirSourceTest, NackPutsTheFileBack) {
  WriteFile(dir_ / "a.json", "A");
  auto source = Make();
  auto batch = NextBatch(*source);
  ASSERT_TRUE(batch.has_value());
  source->Nack(*batch, Error{ErrorCode::kIo, "disk full"});
  ExpectFile(*source, "a.json", "A");
}

// A clock that moves one poll interval each time it is read and runs `on_read` first: the
// test changes files between the polls that Next makes.
class PollingClock final : public Clock {
 public:
  WallTime Now() const override { return WallTime{}; }
  MonoTime Monotonic() const override {
    ++reads_;
    if (on_read) on_read(reads_);
    now_ += std::chrono::seconds(1);
    return now_;
  }
  std::function<void(int)> on_read;

 private:
  mutable int reads_ = 0;
  mutable MonoTime now_{};
};

TEST_F(DirSourceTest, PollingTakesAFileOnceItsSizeAndMtimeHoldStill) {
  PollingClock clock;
  auto source = Make(/*poll=*/true, nullptr, &clock);
  ASSERT_EQ(source->mode(), DirSource::Mode::kPoll);
  WriteFile(dir_ / "a.json", "part1");
  // Create read the clock once; Next's polls are reads 2, 3, 4 ... The writer appends before
  // the first two polls, so they see 10 and then 15 bytes; the third sees 15 again: complete.
  clock.on_read = [&](int read) {
    if (read == 2 || read == 3) {
      std::ofstream out(dir_ / "a.json", std::ios::app);
      out << (read == 2 ? "part2" : "part3");
    }
  };
  auto batch = NextBatch(*source);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->documents.size(), 1u);
  EXPECT_EQ(batch->documents[0], "part1part2part3");
  source->Ack(*batch);
  clock.on_read = nullptr;
  // Committed: later polls do not take it again; the next file is.
  WriteFile(dir_ / "b.json", "B");
  ExpectFile(*source, "b.json", "B");
}

}  // namespace
}  // namespace tw::sources
