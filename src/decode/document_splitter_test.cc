#include "decode/document_splitter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace tw::decode {
namespace {

using Kind = DocumentSplitter::Kind;
using Unit = DocumentSplitterOptions::Unit;

// A piece, copied out of the splitter's buffer.
struct Got {
  Kind kind;
  std::string text;
  uint64_t index;
  uint64_t offset;
  uint64_t count;
  bool truncated;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  return os << "{kind " << static_cast<int>(g.kind) << ", '" << g.text << "', index " << g.index
            << ", offset " << g.offset << ", count " << g.count << ", truncated " << g.truncated
            << "}";
}

Got Doc(std::string text, uint64_t index, uint64_t offset, bool truncated = false) {
  return Got{Kind::kDocument, std::move(text), index, offset, 0, truncated};
}

// Takes every piece Next() hands out until kNeedMore (or kEnd).
void Drain(DocumentSplitter& s, std::vector<Got>& out) {
  for (;;) {
    const DocumentSplitter::Piece p = s.Next();
    if (p.kind == Kind::kNeedMore || p.kind == Kind::kEnd) return;
    out.push_back(Got{p.kind, std::string(p.text), p.index, p.offset, p.count, p.truncated});
  }
}

// Feeds `chunks` one after another (each possibly over several Space() calls), then finishes.
std::vector<Got> Split(const std::vector<std::string>& chunks, DocumentSplitterOptions options) {
  auto made = DocumentSplitter::Create(options);
  EXPECT_TRUE(made.has_value());
  DocumentSplitter s = std::move(*made);
  std::vector<Got> out;
  for (const std::string& chunk : chunks) {
    std::size_t at = 0;
    do {
      Drain(s, out);
      const std::span<char> space = s.Space();
      EXPECT_FALSE(space.empty());
      const std::size_t n = std::min(space.size(), chunk.size() - at);
      std::memcpy(space.data(), chunk.data() + at, n);
      s.Commit(n);
      at += n;
    } while (at < chunk.size());
  }
  Drain(s, out);
  s.Finish();
  Drain(s, out);
  EXPECT_EQ(s.Next().kind, Kind::kEnd);
  return out;
}

DocumentSplitterOptions Small(Unit unit = Unit::kDocuments) {
  DocumentSplitterOptions o;
  o.unit = unit;
  o.window = 16;
  o.max_document = 64;
  return o;
}

// Three documents whose strings hold brackets, escaped quotes and an escaped backslash right
// before a closing quote, separated by nothing, by blanks, and by a newline.
const std::string kA = R"({"Records":[{"a":"}"},{"b":"x\"}]"}]})";
const std::string kB = R"([{"c":"\\"},{"d":"\\\"{"}])";
const std::string kC = R"({"e":{"f":"]"},"g":[1,{"h":"\"\\"}]})";
const std::string kStream = kA + kB + " \n\t" + kC + "\n";

std::vector<Got> Expected() {
  return {Doc(kA, 0, 0), Doc(kB, 1, kA.size()), Doc(kC, 2, kA.size() + kB.size() + 3)};
}

TEST(DocumentSplitter, OneChunk) {
  EXPECT_EQ(Split({kStream}, DocumentSplitterOptions{}), Expected());
}

TEST(DocumentSplitter, SplitAtEveryByte) {
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    SCOPED_TRACE(cut);
    EXPECT_EQ(Split({kStream.substr(0, cut), kStream.substr(cut)}, DocumentSplitterOptions{}),
              Expected());
    // A small window, so that documents also cross compactions and the buffer grows.
    EXPECT_EQ(Split({kStream.substr(0, cut), kStream.substr(cut)}, Small()), Expected());
  }
}

TEST(DocumentSplitter, ByteByByte) {
  std::vector<std::string> chunks;
  for (const char c : kStream) chunks.emplace_back(1, c);
  EXPECT_EQ(Split(chunks, Small()), Expected());
}

TEST(DocumentSplitter, LongStringsWithEscapesAtEveryCut) {
  // Strings longer than 16 bytes (scanned 16 at a time where SSE2 is there) with an escaped
  // quote, an escaped backslash and brackets at different places, and one at the very end.
  const std::string a =
      R"({"k":"0123456789abcdefg\"}]0123456789ABCDEFG\\","l":"[[[[[[[[[[[[[[[[[["})";
  const std::string b = R"(["0123456789012345\\\"0123456789012345}"])";
  const std::string in = a + b;
  const std::vector<Got> want = {Doc(a, 0, 0), Doc(b, 1, a.size())};
  DocumentSplitterOptions small = Small();
  small.max_document = 128;  // a is 73 bytes
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    SCOPED_TRACE(cut);
    EXPECT_EQ(Split({in.substr(0, cut), in.substr(cut)}, DocumentSplitterOptions{}), want);
    EXPECT_EQ(Split({in.substr(0, cut), in.substr(cut)}, small), want);
  }
}

// A JSON string literal of random content drawn from brackets, quotes, backslashes and letters,
// escaped as JSON requires.
std::string RandomString(std::mt19937& rng) {
  static constexpr char kAlphabet[] = "{}[]ab:, \"\\";  // the last two only in some strings
  std::string out = "\"";
  const int n = static_cast<int>(rng() % 90);
  const std::size_t letters = rng() % 3 == 0 ? sizeof(kAlphabet) - 1 : sizeof(kAlphabet) - 3;
  for (int i = 0; i < n; ++i) {
    const char c = kAlphabet[rng() % letters];
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// A random document: nested objects and arrays of strings and numbers.
std::string RandomValue(std::mt19937& rng, int depth) {
  const unsigned pick = depth > 4 ? 2 + rng() % 2 : rng() % 4;
  if (pick == 0 || depth == 0) {
    std::string out = "{";
    const int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += ',';
      out += RandomString(rng) + ":" + RandomValue(rng, depth + 1);
    }
    return out + "}";
  }
  if (pick == 1) {
    std::string out = "[";
    const int n = static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
      if (i > 0) out += ',';
      out += RandomValue(rng, depth + 1);
    }
    return out + "]";
  }
  if (pick == 2) return RandomString(rng);
  return std::to_string(rng() % 1000);
}

TEST(DocumentSplitter, RandomDocumentsInRandomPieces) {
  std::mt19937 rng(20261201);
  for (int round = 0; round < 20; ++round) {
    std::string in;
    std::vector<Got> want;
    for (int d = 0; d < 60; ++d) {
      const std::string doc = RandomValue(rng, 0);
      want.push_back(Doc(doc, static_cast<uint64_t>(d), in.size()));
      in += doc;
      if (rng() % 3 == 0) in += std::string(rng() % 4, '\n');
    }
    std::vector<std::string> chunks;
    for (std::size_t at = 0; at < in.size();) {
      const std::size_t n = 1 + rng() % 300;
      chunks.push_back(in.substr(at, n));
      at += n;
    }
    DocumentSplitterOptions small = Small();
    small.window = 64;
    small.max_document = std::size_t{1} << 20;
    EXPECT_EQ(Split(chunks, DocumentSplitterOptions{}), want);
    EXPECT_EQ(Split(chunks, small), want);
  }
}

TEST(DocumentSplitter, GarbageBetweenDocumentsIsReportedOnce) {
  const std::string in = R"({"a":1}garbage"{"{"b":2} trailing)";
  // "garbage\"" is 8 bytes at offset 7; the next '{' starts a document at 15 (inside what a
  // person would call a string, but between documents there are no strings).
  const std::vector<Got> want = {
      Doc(R"({"a":1})", 0, 0),
      Got{Kind::kGarbage, "garbage\"", 0, 7, 8, false},
      Doc(R"({"{"b":2} trailing)", 1, 15, /*truncated=*/true),
  };
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    SCOPED_TRACE(cut);
    EXPECT_EQ(Split({in.substr(0, cut), in.substr(cut)}, Small()), want);
  }
}

TEST(DocumentSplitter, GarbageAtTheEnd) {
  const std::string text = "not json at all, a line of text, then more";
  EXPECT_EQ(Split({"[1]\n" + text}, Small()),
            (std::vector<Got>{Doc("[1]", 0, 0),
                              Got{Kind::kGarbage, text.substr(0, 32), 0, 4, text.size(), false}}));
}

TEST(DocumentSplitter, TruncatedLastDocumentIsHandedOut) {
  EXPECT_EQ(Split({R"({"a":1}{"b":[1,2)"}, Small()),
            (std::vector<Got>{Doc(R"({"a":1})", 0, 0), Doc(R"({"b":[1,2)", 1, 7, true)}));
}

TEST(DocumentSplitter, OversizedDocumentIsReportedAndSkipped) {
  // max_document 64: the middle document has 75 bytes, with a '}' inside its string.
  const std::string mid = "{\"x\":\"" + std::string(66, 'y') + "}\"}";
  ASSERT_EQ(mid.size(), 75u);
  const std::string in = R"({"a":1})" + mid + R"({"c":3})";
  const std::vector<Got> got = Split({in}, Small());
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], Doc(R"({"a":1})", 0, 0));
  EXPECT_EQ(got[1].kind, Kind::kOversize);
  EXPECT_EQ(got[1].index, 1u);
  EXPECT_EQ(got[1].offset, 7u);
  EXPECT_EQ(got[1].count, 64u);  // reported when the buffer, grown to max_document, filled
  EXPECT_EQ(got[2], Doc(R"({"c":3})", 2, 7 + 75));
}

TEST(DocumentSplitter, BufferShrinksAfterALongDocument) {
  auto made = DocumentSplitter::Create(Small());
  ASSERT_TRUE(made.has_value());
  DocumentSplitter s = std::move(*made);
  std::vector<Got> out;
  const std::string long_doc = "[\"" + std::string(40, 'z') + "\"]";
  const std::string in = long_doc + std::string(30, ' ') + "[2]";
  std::size_t at = 0;
  while (at < in.size()) {
    Drain(s, out);
    const std::span<char> space = s.Space();
    const std::size_t n = std::min(space.size(), in.size() - at);
    std::memcpy(space.data(), in.data() + at, n);
    s.Commit(n);
    at += n;
  }
  Drain(s, out);
  s.Finish();
  Drain(s, out);
  EXPECT_EQ(out, (std::vector<Got>{Doc(long_doc, 0, 0), Doc("[2]", 1, long_doc.size() + 30)}));
  EXPECT_EQ(s.buffer_size(), 16u);
}

TEST(DocumentSplitter, ByteOrderMark) {
  EXPECT_EQ(Split({"\xEF\xBB", "\xBF{}"}, Small()),
            (std::vector<Got>{Got{Kind::kBom, "", 0, 0, 0, false}, Doc("{}", 0, 3)}));
  // Not at the start: garbage like any other.
  EXPECT_EQ(Split({"{}\xEF\xBB\xBF{}"}, Small()),
            (std::vector<Got>{Doc("{}", 0, 0), Got{Kind::kGarbage, "\xEF\xBB\xBF", 0, 2, 3, false},
                              Doc("{}", 1, 5)}));
}

TEST(DocumentSplitter, BreakHandsOutTheDocumentInProgress) {
  auto made = DocumentSplitter::Create(Small());
  ASSERT_TRUE(made.has_value());
  DocumentSplitter s = std::move(*made);
  std::vector<Got> out;
  Drain(s, out);
  ASSERT_TRUE(s.Append(R"({"a":1}{"b":"x{)"));
  s.Break();  // the bytes after these were lost: the open string and brace must not carry on
  Drain(s, out);
  ASSERT_TRUE(s.Append(R"({"c":"}"})"));
  s.Finish();
  Drain(s, out);
  EXPECT_EQ(out, (std::vector<Got>{Doc(R"({"a":1})", 0, 0), Doc(R"({"b":"x{)", 1, 7, true),
                                   Doc(R"({"c":"}"})", 2, 15)}));
}

TEST(DocumentSplitter, LinesAtEveryCut) {
  const std::string in = "{\"a\":1}\n\n{\"b\":\"}\"}\r\nlast";
  for (std::size_t cut = 0; cut <= in.size(); ++cut) {
    SCOPED_TRACE(cut);
    const std::vector<Got> got = Split({in.substr(0, cut), in.substr(cut)}, Small(Unit::kLines));
    // Runs of whole lines, in order, covering the input; each names its first line.
    std::string joined;
    uint64_t next_line = 0;
    for (const Got& g : got) {
      ASSERT_EQ(g.kind, Kind::kLines);
      EXPECT_EQ(g.index, next_line);
      EXPECT_EQ(g.offset, joined.size());
      joined += g.text;
      next_line += g.count;
    }
    EXPECT_EQ(joined, in);
    EXPECT_EQ(next_line, 4u);  // three '\n', then "last"
  }
}

TEST(DocumentSplitter, OverlongLineIsReportedAndSkipped) {
  const std::string in = "a\n" + std::string(70, 'x') + "\nb\n";
  const std::vector<Got> got = Split({in}, Small(Unit::kLines));
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (Got{Kind::kLines, "a\n", 0, 0, 1, false}));
  EXPECT_EQ(got[1].kind, Kind::kOversize);
  EXPECT_EQ(got[1].index, 1u);  // 0-based: the second line
  EXPECT_EQ(got[1].offset, 2u);
  EXPECT_EQ(got[2], (Got{Kind::kLines, "b\n", 2, 73, 1, false}));
}

TEST(DocumentSplitter, RejectsBadOptions) {
  DocumentSplitterOptions o;
  o.window = 0;
  EXPECT_FALSE(DocumentSplitter::Create(o).has_value());
  o.window = 32;
  o.max_document = 16;
  EXPECT_FALSE(DocumentSplitter::Create(o).has_value());
}

}  // namespace
}  // namespace tw::decode
