#include "decode/line_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tw::decode {
namespace {

// A pipe whose write end a test feeds.
struct Pipe {
  int read_fd = -1;
  int write_fd = -1;
  Pipe() {
    int fds[2];
    TW_CHECK(::pipe(fds) == 0);
    read_fd = fds[0];
    write_fd = fds[1];
  }
  ~Pipe() {
    if (read_fd >= 0) ::close(read_fd);
    CloseWrite();
  }
  void Write(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(write_fd, bytes.data(), bytes.size());
      TW_CHECK(n > 0);
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  void CloseWrite() {
    if (write_fd >= 0) ::close(write_fd);
    write_fd = -1;
  }
};

struct Collected {
  std::vector<std::string> lines;                      // without their '\n'
  std::vector<uint64_t> numbers;                       // each line's number as reported
  std::vector<std::pair<uint64_t, uint64_t>> skipped;  // (line, bytes)
  size_t max_buffer = 0;
};

// Reads `fd` to the end, splitting the handed-out text into lines. With `take`, each kLines
// step's text is taken out of the reader with TakeLines (the reader going on in the string
// taken two steps before, or a new one) and the lines are split from the taken string.
Collected ReadAll(int fd, LineReaderOptions options, bool take = false) {
  Collected out;
  auto reader = LineReader::Create(fd, options);
  EXPECT_TRUE(reader.has_value());
  std::vector<std::string> taken;
  for (;;) {
    auto step = reader->Next();
    EXPECT_TRUE(step.has_value());
    out.max_buffer = std::max(out.max_buffer, reader->buffer_size());
    if (!step || step->kind == LineReader::Kind::kEnd) break;
    if (step->kind == LineReader::Kind::kSkippedLine) {
      out.skipped.emplace_back(step->line, step->count);
      continue;
    }
    if (step->kind != LineReader::Kind::kLines) continue;
    std::string_view text = step->text;
    if (take) {
      const std::string expected(step->text);
      std::string spare;
      if (taken.size() >= 2) spare = std::move(taken[taken.size() - 2]);
      taken.push_back(reader->TakeLines(std::move(spare)));
      EXPECT_EQ(taken.back(), expected);
      EXPECT_GE(taken.back().capacity(), taken.back().size() + 64);  // simdjson padding
      EXPECT_EQ(reader->TakeLines(std::string()), "");               // once per step
      text = taken.back();
    }
    uint64_t number = step->line;
    uint64_t count = 0;
    while (!text.empty()) {
      size_t nl = text.find('\n');
      std::string_view line = text.substr(0, nl);
      out.lines.emplace_back(line);
      out.numbers.push_back(number++);
      ++count;
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
    EXPECT_EQ(count, step->count);
  }
  return out;
}

Collected ReadString(const std::string& input, LineReaderOptions options) {
  Pipe pipe;
  std::thread writer([&] {
    pipe.Write(input);
    pipe.CloseWrite();
  });
  Collected out = ReadAll(pipe.read_fd, options);
  writer.join();
  return out;
}

TEST(LineReaderTest, TakingTheLinesOutReadsTheSameLines) {
  // Random lines of 0-40 bytes (some longer than the window, one past the maximum), the last
  // one without its newline; read plainly and with every window's buffer taken out.
  std::mt19937 random(12);
  for (int round = 0; round < 20; ++round) {
    std::string input;
    const int lines = 1 + static_cast<int>(random() % 40);
    for (int i = 0; i < lines; ++i) {
      input.append(random() % 41, static_cast<char>('a' + i % 26));
      if (i + 1 < lines || random() % 2 == 0) input += '\n';
    }
    const LineReaderOptions options{.window = 8, .max_line = 32};
    const Collected plain = ReadString(input, options);
    Pipe pipe;
    std::thread writer([&] {
      pipe.Write(input);
      pipe.CloseWrite();
    });
    const Collected taken = ReadAll(pipe.read_fd, options, /*take=*/true);
    writer.join();
    EXPECT_EQ(taken.lines, plain.lines) << "round " << round;
    EXPECT_EQ(taken.numbers, plain.numbers) << "round " << round;
    EXPECT_EQ(taken.skipped, plain.skipped) << "round " << round;
  }
}

TEST(LineReaderTest, RejectsBadOptions) {
  EXPECT_FALSE(LineReader::Create(-1).has_value());
  EXPECT_FALSE(LineReader::Create(0, {.window = 0, .max_line = 8}).has_value());
  EXPECT_FALSE(LineReader::Create(0, {.window = 16, .max_line = 8}).has_value());
}

TEST(LineReaderTest, SplitsLinesAndNumbersThem) {
  Collected got = ReadString("a\nbb\nccc\n", {});
  EXPECT_EQ(got.lines, (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_EQ(got.numbers, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_TRUE(got.skipped.empty());
}

TEST(LineReaderTest, EmptyInputEndsAtOnce) {
  Collected got = ReadString("", {});
  EXPECT_TRUE(got.lines.empty());
}

TEST(LineReaderTest, LastLineWithoutNewline) {
  Collected got = ReadString("first\nlast", {.window = 8, .max_line = 64});
  EXPECT_EQ(got.lines, (std::vector<std::string>{"first", "last"}));
}

TEST(LineReaderTest, CrlfIsOneLineEndingAndKeepsTheCr) {
  Collected got = ReadString("{\"a\":1}\r\n{\"b\":2}\r\n", {.window = 8, .max_line = 64});
  EXPECT_EQ(got.lines, (std::vector<std::string>{"{\"a\":1}\r", "{\"b\":2}\r"}));
  EXPECT_EQ(got.numbers, (std::vector<uint64_t>{1, 2}));
}

TEST(LineReaderTest, NulBytesAreOrdinaryBytes) {
  const std::string input("a\0b\n\0\n\0", 7);
  Collected got = ReadString(input, {.window = 4, .max_line = 64});
  ASSERT_EQ(got.lines.size(), 3u);
  EXPECT_EQ(got.lines[0], std::string("a\0b", 3));
  EXPECT_EQ(got.lines[1], std::string("\0", 1));
  EXPECT_EQ(got.lines[2], std::string("\0", 1));
}

TEST(LineReaderTest, LineSpanningWindowsGrowsTheBufferThenShrinksIt) {
  const std::string long_line(50, 'x');  // window 8: grows 8 -> 16 -> 32 -> 64
  Collected got = ReadString("ab\n" + long_line + "\ncd\n" + "ef\n", {.window = 8, .max_line = 64});
  EXPECT_EQ(got.lines, (std::vector<std::string>{"ab", long_line, "cd", "ef"}));
  EXPECT_EQ(got.numbers, (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(got.max_buffer, 64u);

  // After the long line, the buffer is back to the window.
  Pipe pipe;
  pipe.Write("ab\n" + long_line + "\ncd\n");
  auto reader = LineReader::Create(pipe.read_fd, {.window = 8, .max_line = 64});
  ASSERT_TRUE(reader.has_value());
  bool saw_long = false;
  while (!saw_long) {
    auto step = reader->Next();
    ASSERT_TRUE(step.has_value());
    if (step->kind == LineReader::Kind::kLines && step->text.find(long_line) == 0) saw_long = true;
  }
  pipe.Write("gh\n");
  auto step = reader->Next();
  ASSERT_TRUE(step.has_value());
  ASSERT_EQ(step->kind, LineReader::Kind::kLines);
  EXPECT_EQ(reader->buffer_size(), 8u);
}

TEST(LineReaderTest, LineOverTheMaximumIsReportedAndSkipped) {
  const std::string huge(100, 'y');
  Collected got = ReadString("one\ntwo\n" + huge + "\nthree\n", {.window = 8, .max_line = 32});
  EXPECT_EQ(got.lines, (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(got.numbers, (std::vector<uint64_t>{1, 2, 4}));
  ASSERT_EQ(got.skipped.size(), 1u);
  EXPECT_EQ(got.skipped[0], (std::pair<uint64_t, uint64_t>{3, 100}));
  EXPECT_LE(got.max_buffer, 32u);
}

TEST(LineReaderTest, BoundaryOfTheMaximum) {
  // 31 bytes + '\n' fill a 32-byte buffer exactly: kept. 32 bytes without '\n': skipped.
  const std::string fits(31, 'f');
  const std::string too_long(32, 't');
  Collected got = ReadString(fits + "\n" + too_long + "\nz\n", {.window = 32, .max_line = 32});
  EXPECT_EQ(got.lines, (std::vector<std::string>{fits, "z"}));
  ASSERT_EQ(got.skipped.size(), 1u);
  EXPECT_EQ(got.skipped[0], (std::pair<uint64_t, uint64_t>{2, 32}));
}

TEST(LineReaderTest, OverlongLastLineWithoutNewline) {
  Collected got = ReadString("a\n" + std::string(40, 'q'), {.window = 8, .max_line = 16});
  EXPECT_EQ(got.lines, (std::vector<std::string>{"a"}));
  ASSERT_EQ(got.skipped.size(), 1u);
  EXPECT_EQ(got.skipped[0], (std::pair<uint64_t, uint64_t>{2, 40}));
}

TEST(LineReaderTest, HandsOutALineAsSoonAsItArrivesOnAPipe) {
  Pipe pipe;
  auto reader = LineReader::Create(pipe.read_fd);  // 256 KiB window, far from full
  ASSERT_TRUE(reader.has_value());
  pipe.Write("{\"eventName\":\"StopLogging\"}\n");
  auto step = reader->Next();  // must not wait for more input or for end of file
  ASSERT_TRUE(step.has_value());
  ASSERT_EQ(step->kind, LineReader::Kind::kLines);
  EXPECT_EQ(step->text, "{\"eventName\":\"StopLogging\"}\n");

  pipe.Write("{\"half\":");
  step = reader->Next();
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->kind, LineReader::Kind::kNothingYet);
  pipe.Write("1}\n");
  step = reader->Next();
  ASSERT_TRUE(step.has_value());
  ASSERT_EQ(step->kind, LineReader::Kind::kLines);
  EXPECT_EQ(step->text, "{\"half\":1}\n");
  EXPECT_EQ(step->line, 2u);
  pipe.CloseWrite();
  step = reader->Next();
  ASSERT_TRUE(step.has_value());
  EXPECT_EQ(step->kind, LineReader::Kind::kEnd);
}

TEST(LineReaderTest, ReadErrorIsReported) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto reader = LineReader::Create(fds[1]);  // the write end cannot be read
  ASSERT_TRUE(reader.has_value());
  auto step = reader->Next();
  ASSERT_FALSE(step.has_value());
  EXPECT_EQ(step.error().code, ErrorCode::kIo);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(LineReaderTest, FillSniffsWithoutConsumingThenLinesFollow) {
  Pipe pipe;
  auto reader = LineReader::Create(pipe.read_fd, {.window = 16, .max_line = 64});
  ASSERT_TRUE(reader.has_value());
  pipe.Write("{\"a\"");
  auto seen = reader->Fill();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, "{\"a\"");
  pipe.Write(":1}\n{\"b\":2}\n");
  seen = reader->Fill();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(*seen, "{\"a\":1}\n{\"b\":2}\n");
  auto step = reader->Next();
  ASSERT_TRUE(step.has_value());
  ASSERT_EQ(step->kind, LineReader::Kind::kLines);
  EXPECT_EQ(step->text, "{\"a\":1}\n{\"b\":2}\n");
  EXPECT_EQ(step->count, 2u);
}

TEST(LineReaderTest, ReadAllTakesTheBufferedBytesAndTheRest) {
  Pipe pipe;
  auto reader = LineReader::Create(pipe.read_fd, {.window = 4, .max_line = 8});
  ASSERT_TRUE(reader.has_value());
  pipe.Write(std::string("\x1f\x8b\n\x00", 4));
  ASSERT_TRUE(reader->Fill().has_value());
  std::thread writer([&] {
    pipe.Write(std::string(100, 'z'));  // far beyond window and max_line: read whole anyway
    pipe.CloseWrite();
  });
  std::string all;
  ASSERT_TRUE(reader->ReadAll(all, 1000).has_value());
  writer.join();
  EXPECT_EQ(all, std::string("\x1f\x8b\n\x00", 4) + std::string(100, 'z'));
  EXPECT_TRUE(reader->ended());
}

TEST(LineReaderTest, ReadAllStopsAtItsLimit) {
  Pipe pipe;
  pipe.Write(std::string(50, 'a'));
  pipe.CloseWrite();
  auto reader = LineReader::Create(pipe.read_fd, {.window = 16, .max_line = 16});
  ASSERT_TRUE(reader.has_value());
  std::string all;
  auto result = reader->ReadAll(all, 20);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(all.size(), 20u);
}

// Random inputs against a naive split of the whole string: same lines, same numbers, and the
// lines of max_line bytes or more skipped.
TEST(LineReaderTest, AgreesWithANaiveSplitOnRandomInput) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const size_t window = 1 + rng() % 16;
    const size_t max_line = window + rng() % 48;
    std::string input;
    const int lines = static_cast<int>(rng() % 30);
    for (int i = 0; i < lines; ++i) {
      const size_t len = rng() % 3 == 0 ? rng() % 80 : rng() % 10;
      for (size_t j = 0; j < len; ++j) input += static_cast<char>('a' + rng() % 26);
      if (i + 1 < lines || rng() % 2 == 0) input += '\n';
    }
    std::vector<std::string> want_lines;
    std::vector<uint64_t> want_numbers;
    std::vector<std::pair<uint64_t, uint64_t>> want_skipped;
    size_t pos = 0;
    uint64_t number = 1;
    while (pos < input.size()) {
      size_t nl = input.find('\n', pos);
      size_t stop = nl == std::string::npos ? input.size() : nl;
      std::string line = input.substr(pos, stop - pos);
      if (line.size() >= max_line) {
        want_skipped.emplace_back(number, line.size());
      } else {
        want_lines.push_back(line);
        want_numbers.push_back(number);
      }
      ++number;
      pos = nl == std::string::npos ? input.size() : nl + 1;
    }
    Collected got = ReadString(input, {.window = window, .max_line = max_line});
    ASSERT_EQ(got.lines, want_lines) << "round " << round;
    EXPECT_EQ(got.numbers, want_numbers) << "round " << round;
    EXPECT_EQ(got.skipped, want_skipped) << "round " << round;
    EXPECT_LE(got.max_buffer, max_line);
  }
}

}  // namespace
}  // namespace tw::decode
