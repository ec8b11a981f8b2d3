#include "sources/stdin/stdin_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "decode/test_helpers.h"

namespace tw::sources {
namespace {

class StdinSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
  void TearDown() override {
    ::close(read_fd_);
    CloseWrite();
  }
  void Write(const std::string& bytes) {
    ASSERT_EQ(::write(write_fd_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  void CloseWrite() {
    if (write_fd_ >= 0) ::close(write_fd_);
    write_fd_ = -1;
  }
  std::unique_ptr<StdinSource> Make(StdinOptions options = {}) {
    options.fd = read_fd_;
    auto source = StdinSource::Create(options, clock_);
    EXPECT_TRUE(source.has_value());
    return source ? std::move(*source) : nullptr;
  }
  // The next batch's single document (fails the test otherwise).
  std::string NextDocument(StdinSource& source) {
    auto batch = source.Next(stop_);
    EXPECT_TRUE(batch.has_value());
    if (!batch || !*batch) return "<none>";
    EXPECT_FALSE((*batch)->error.has_value());
    EXPECT_EQ((*batch)->input, "-");
    EXPECT_TRUE((*batch)->checkpoint.source.empty());
    if ((*batch)->documents.size() != 1) return "<not one document>";
    const std::string& doc = (*batch)->documents[0];
    EXPECT_GE(doc.capacity() - doc.size(), 64u);  // padded for in-place parsing
    EXPECT_TRUE((*batch)->line_window);
    first_lines_.push_back((*batch)->first_line);
    parts_.push_back((*batch)->part);
    return doc;
  }
  std::vector<uint64_t> first_lines_, parts_;  // of the batches NextDocument returned

  FakeClock clock_;
  std::atomic<bool> stop_{false};
  int read_fd_ = -1;
  int write_fd_ = -1;
};

TEST_F(StdinSourceTest, RejectsBadOptions) {
  StdinOptions negative;
  negative.fd = -1;
  EXPECT_FALSE(StdinSource::Create(negative, clock_).has_value());
  StdinOptions zero;
  zero.max_batch_bytes = 0;
  EXPECT_FALSE(StdinSource::Create(zero, clock_).has_value());
}

TEST_F(StdinSourceTest, AsksForAOneMebibytePipeBuffer) {
  // stdin_source.cc GrowPipe: a pipe's buffer bounds each read; 1 MiB when the system allows it
  // (/proc/sys/fs/pipe-max-size, 1 MiB by default; root may always).
  long max = 0;
  if (std::FILE* f = std::fopen("/proc/sys/fs/pipe-max-size", "r")) {
    if (std::fscanf(f, "%ld", &max) != 1) max = 0;
    std::fclose(f);
  }
  if (max < (1 << 20) && ::geteuid() != 0) GTEST_SKIP() << "pipe-max-size is " << max;
  ASSERT_EQ(::fcntl(read_fd_, F_GETPIPE_SZ), 64 * 1024);  // Linux's default for a new pipe
  auto source = Make();
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(::fcntl(read_fd_, F_GETPIPE_SZ), 1 << 20);
}

TEST_F(StdinSourceTest, HandsOutALineWhileTheStreamIsStillOpen) {
  auto source = Make();
  Write("{\"eventName\":\"StopLogging\"}\n{\"partial\":");
  // The complete line comes out now; the partial one waits for its newline.
  EXPECT_EQ(NextDocument(*source), "{\"eventName\":\"StopLogging\"}\n");
  Write("1}\n");
  EXPECT_EQ(NextDocument(*source), "{\"partial\":1}\n");
  CloseWrite();
  auto end = source->Next(stop_);
  ASSERT_TRUE(end.has_value());
  EXPECT_FALSE(end->has_value());
}

TEST_F(StdinSourceTest, BatchesCarryTheLinesBeforeThemSoLineNumbersGoOn) {
  StdinOptions options;
  options.max_batch_bytes = 16;  // "{\"n\":1}\n" is 8 bytes: two lines per batch at most
  auto source = Make(options);
  Write("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");  // one read, cut into two batches
  auto first = source->Next(stop_);
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->documents.at(0), "{\"n\":1}\n{\"n\":2}\n");
  EXPECT_EQ((*first)->first_line, 0u);
  auto second = source->Next(stop_);
  ASSERT_TRUE(second && *second);
  EXPECT_EQ((*second)->documents.at(0), "{\"n\":3}\n");
  EXPECT_EQ((*second)->first_line, 2u);  // lines 1 and 2 came before
  Write("{\"n\":4}\n");                  // a later read
  auto third = source->Next(stop_);
  ASSERT_TRUE(third && *third);
  EXPECT_EQ((*third)->documents.at(0), "{\"n\":4}\n");
  EXPECT_EQ((*third)->first_line, 3u);
}

TEST_F(StdinSourceTest, LastLineWithoutNewlineAtEndOfInput) {
  auto source = Make();
  Write("{\"a\":1}");
  CloseWrite();
  EXPECT_EQ(NextDocument(*source), "{\"a\":1}");
  auto end = source->Next(stop_);
  ASSERT_TRUE(end.has_value());
  EXPECT_FALSE(end->has_value());
}

TEST_F(StdinSourceTest, BatchesAreCutAtLineEndsAtTheByteLimit) {
  StdinOptions options;
  options.max_batch_bytes = 16;
  auto source = Make(options);
  const std::string long_line = "{\"d\":\"" + std::string(16, 'x') + "\"}\n";
  Write("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n" + long_line + "{}\n");  // 8 + 8 + 8 + 25 + 3 bytes
  CloseWrite();
  EXPECT_EQ(NextDocument(*source), "{\"a\":1}\n{\"b\":2}\n");  // exactly 16
  EXPECT_EQ(NextDocument(*source), "{\"c\":3}\n");             // the next line would pass 16
  EXPECT_EQ(NextDocument(*source), long_line);                 // longer than a batch: alone
  EXPECT_EQ(NextDocument(*source), "{}\n");
  auto end = source->Next(stop_);
  ASSERT_TRUE(end.has_value());
  EXPECT_FALSE(end->has_value());
  // Each batch knows the stream line it starts at (0-based), so lines count from the stream's
  // start, not the batch's.
  EXPECT_EQ(first_lines_, (std::vector<uint64_t>{0, 2, 3, 4}));
  EXPECT_EQ(parts_, (std::vector<uint64_t>{0, 1, 2, 3}));
}

TEST_F(StdinSourceTest, LinesAvailableTogetherShareABatch) {
  auto source = Make();
  Write("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
  EXPECT_EQ(NextDocument(*source), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
}

TEST_F(StdinSourceTest, ABatchClosesAfterTheDelayEvenWhileInputKeepsComing) {
  // A clock that moves 3 ms each time it is read. The batch starts when its first lines are
  // taken (t = 3 ms); the check after them sees 6 ms (3 ms old < 5: read on), the check after
  // the next read sees 9 ms (6 ms old >= 5: close), although more input is waiting.
  class SteppingClock final : public Clock {
   public:
    WallTime Now() const override { return WallTime{}; }
    MonoTime Monotonic() const override {
      now_ += std::chrono::milliseconds(3);
      return now_;
    }

   private:
    mutable MonoTime now_{};
  } stepping;
  StdinOptions options;
  options.fd = read_fd_;
  options.lines.window = 8;  // one line per read
  options.lines.max_line = 64;
  auto source = StdinSource::Create(options, stepping);
  ASSERT_TRUE(source.has_value());
  Write("{1}\n{2}\n{3}\n{4}\n{5}\n{6}\n");
  CloseWrite();
  auto batch = (*source)->Next(stop_);
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  // A window of 8 bytes: the first read holds "{1}\n{2}\n", two lines; the second read gives
  // "{3}\n{4}\n". Then the delay closes the batch.
  EXPECT_EQ((*batch)->documents.at(0), "{1}\n{2}\n{3}\n{4}\n");
  batch = (*source)->Next(stop_);
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  EXPECT_EQ((*batch)->documents.at(0), "{5}\n{6}\n");
}

TEST_F(StdinSourceTest, AnOverlongLineBecomesAnErrorBatchAndTheStreamGoesOn) {
  StdinOptions options;
  options.lines.window = 8;
  options.lines.max_line = 16;
  auto source = Make(options);
  Write("{ok1}\n{" + std::string(29, 'x') + "\n{ok2}\n");
  CloseWrite();
  EXPECT_EQ(NextDocument(*source), "{ok1}\n");
  auto error_batch = source->Next(stop_);
  ASSERT_TRUE(error_batch.has_value() && error_batch->has_value());
  ASSERT_TRUE((*error_batch)->error.has_value());
  EXPECT_EQ((*error_batch)->error->code, ErrorCode::kResourceExhausted);
  EXPECT_NE((*error_batch)->error->message.find("line 2: 30 bytes"), std::string::npos)
      << (*error_batch)->error->message;
  EXPECT_TRUE((*error_batch)->documents.empty());
  EXPECT_EQ(NextDocument(*source), "{ok2}\n");
}

TEST_F(StdinSourceTest, StopEndsAWaitWithNothingRead) {
  auto source = Make();
  stop_ = true;
  auto batch = source->Next(stop_);  // the pipe is open and empty: must not block
  ASSERT_TRUE(batch.has_value());
  EXPECT_FALSE(batch->has_value());
}

TEST_F(StdinSourceTest, InputThatIsNotJsonIsReadWhole) {
  const std::string inputs[] = {
      "hello world\nnot json\n",  // text
      "BZh91AY&SY",               // bzip2 (reported by the record reader)
      "",                         // empty
  };
  bool first = true;
  for (const std::string& input : inputs) {
    if (!first) {
      TearDown();
      SetUp();
    }
    first = false;
    auto source = Make();
    Write(input);
    CloseWrite();
    auto batch = source->Next(stop_);
    ASSERT_TRUE(batch.has_value() && batch->has_value());
    ASSERT_EQ((*batch)->documents.size(), 1u);
    EXPECT_EQ((*batch)->documents[0], input);
    EXPECT_FALSE((*batch)->split_documents);
    auto end = source->Next(stop_);
    ASSERT_TRUE(end.has_value());
    EXPECT_FALSE(end->has_value());
  }
}

// What a split stream handed out, batch by batch, until its end.
struct Seen {
  std::vector<std::string> documents;  // each split document, in order
  std::vector<uint64_t> indexes;       // its document number (first_document + i)
  std::vector<std::string> errors;     // error batches' messages, in order
  std::string lines;                   // line-window batches, concatenated
  std::vector<uint64_t> first_lines;   // their first_line
  std::vector<uint64_t> line_counts;   // the lines each holds
};

Seen Drain(StdinSource& source, const std::atomic<bool>& stop) {
  Seen seen;
  for (;;) {
    auto batch = source.Next(stop);
    EXPECT_TRUE(batch.has_value());
    if (!batch || !*batch) return seen;
    const Batch& b = **batch;
    if (b.error) {
      seen.errors.push_back(b.error->message);
      continue;
    }
    if (b.line_window) {
      EXPECT_EQ(b.documents.size(), 1u);
      seen.first_lines.push_back(b.first_line);
      for (const auto& d : b.documents) {
        seen.lines += d;
        seen.line_counts.push_back(static_cast<uint64_t>(std::count(d.begin(), d.end(), '\n')));
      }
      continue;
    }
    EXPECT_TRUE(b.split_documents);
    for (size_t i = 0; i < b.documents.size(); ++i) {
      EXPECT_GE(b.documents[i].capacity() - b.documents[i].size(), 64u);
      seen.documents.push_back(b.documents[i]);
      seen.indexes.push_back(b.first_document + i);
    }
  }
}

TEST_F(StdinSourceTest, PrettyPrintedAndArraysAreCutIntoDocuments) {
  auto source = Make();
  Write("\xEF\xBB\xBF {\n  \"Records\": [\n  ]\n}\n[1,\n2]{\"a\":\"}\"}\n");
  CloseWrite();
  const Seen seen = Drain(*source, stop_);
  EXPECT_EQ(seen.documents,
            (std::vector<std::string>{"{\n  \"Records\": [\n  ]\n}", "[1,\n2]", "{\"a\":\"}\"}"}));
  EXPECT_EQ(seen.indexes, (std::vector<uint64_t>{0, 1, 2}));
  ASSERT_EQ(seen.errors.size(), 1u);
  EXPECT_NE(seen.errors[0].find("byte order mark"), std::string::npos);
}

TEST_F(StdinSourceTest, ConcatenatedCloudTrailFilesStreamWhileOpen) {
  auto source = Make();
  const std::string a = R"({"Records":[{"eventName":"A"}]})";
  const std::string b = R"({"Records":[{"eventName":"B","x":"]}"}]})";
  Write(a + b.substr(0, 20));  // `zcat *.json.gz`: no newline between files
  auto first = source->Next(stop_);
  ASSERT_TRUE(first.has_value() && first->has_value());
  EXPECT_TRUE((*first)->split_documents);
  EXPECT_EQ((*first)->first_document, 0u);
  EXPECT_EQ((*first)->documents, std::vector<std::string>{a});
  Write(b.substr(20));
  auto second = source->Next(stop_);
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_EQ((*second)->first_document, 1u);
  EXPECT_EQ((*second)->documents, std::vector<std::string>{b});
  EXPECT_EQ((*second)->part, 1u);
  CloseWrite();
  const Seen rest = Drain(*source, stop_);
  EXPECT_TRUE(rest.documents.empty());
  EXPECT_TRUE(rest.errors.empty());
}

TEST_F(StdinSourceTest, GarbageAndOversizedDocumentsAreErrorBatches) {
  StdinOptions options;
  options.documents.window = 16;
  options.documents.max_document = 32;
  auto source = Make(options);
  const std::string big = "[\"" + std::string(40, 'x') + "\"]";
  Write("[1]oops" + big + "[2]");
  CloseWrite();
  const Seen seen = Drain(*source, stop_);
  EXPECT_EQ(seen.documents, (std::vector<std::string>{"[1]", "[2]"}));
  EXPECT_EQ(seen.indexes, (std::vector<uint64_t>{0, 2}));  // document 1 (0-based) was dropped
  ASSERT_EQ(seen.errors.size(), 2u);
  EXPECT_EQ(seen.errors[0],
            "byte 3: 4 bytes between JSON documents are not JSON (\"oops\"); skipped");
  EXPECT_EQ(seen.errors[1],
            "document 2 (from byte 7): longer than the 32-byte document limit; skipped");
}

TEST_F(StdinSourceTest, MultiMemberGzipIsInflatedMemberByMember) {
  auto source = Make();
  const std::string a = R"({"Records":[{"eventName":"A"}]})";
  const std::string b = R"({"Records":[{"eventName":"B"}]})";
  Write(decode::testing::GzipMember(a) + decode::testing::GzipMember(b));
  CloseWrite();
  const Seen seen = Drain(*source, stop_);
  EXPECT_EQ(seen.documents, (std::vector<std::string>{a, b}));
  EXPECT_EQ(seen.indexes, (std::vector<uint64_t>{0, 1}));
  EXPECT_TRUE(seen.errors.empty());
}

TEST_F(StdinSourceTest, GzipNdjsonIsCutIntoLines) {
  StdinOptions options;
  options.documents.window = 64;  // several windows of lines
  options.max_batch_bytes = 64;
  auto source = Make(options);
  std::string ndjson;
  for (int i = 0; i < 40; ++i) ndjson += "{\"eventName\":\"E" + std::to_string(i) + "\"}\n";
  const std::string gz = decode::testing::GzipMember(ndjson);
  Write(gz.substr(0, gz.size() / 2));
  Write(gz.substr(gz.size() / 2));
  CloseWrite();
  const Seen seen = Drain(*source, stop_);
  EXPECT_EQ(seen.lines, ndjson);
  ASSERT_GT(seen.first_lines.size(), 1u);
  // Each batch starts at the line after the previous batch's lines.
  uint64_t line = 0;
  for (size_t i = 0; i < seen.first_lines.size(); ++i) {
    EXPECT_EQ(seen.first_lines[i], line);
    line += seen.line_counts[i];
  }
  EXPECT_EQ(line, 40u);
  EXPECT_TRUE(seen.errors.empty());
}

TEST_F(StdinSourceTest, DamagedGzipIsAnErrorBatch) {
  auto source = Make();
  Write(std::string("\x1f\x8b\x08\x00gzip\nbytes\n", 14));
  CloseWrite();
  const Seen seen = Drain(*source, stop_);
  EXPECT_TRUE(seen.documents.empty());
  ASSERT_FALSE(seen.errors.empty());
  EXPECT_NE(seen.errors[0].find("gzip"), std::string::npos);
}

TEST_F(StdinSourceTest, ABomAndBlankLinesBeforeCompactJsonStillStream) {
  auto source = Make();
  Write("\xEF\xBB\xBF\n{\"a\":1}\n");  // the stream stays open
  EXPECT_EQ(NextDocument(*source), "\xEF\xBB\xBF\n{\"a\":1}\n");
}

TEST_F(StdinSourceTest, AWholeInputOverTheLimitIsAnErrorBatch) {
  StdinOptions options;
  options.max_document_bytes = 10;
  auto source = Make(options);
  Write("text, " + std::string(20, ' ') + ".");
  CloseWrite();
  auto batch = source->Next(stop_);
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  ASSERT_TRUE((*batch)->error.has_value());
  EXPECT_EQ((*batch)->error->code, ErrorCode::kResourceExhausted);
}

}  // namespace
}  // namespace tw::sources
