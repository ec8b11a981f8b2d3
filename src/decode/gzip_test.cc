#include "decode/gzip.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

#include "decode/file_reader.h"
#include "decode/input_kind.h"
#include "decode/test_helpers.h"

namespace tw::decode {
namespace {

using testing::GzipMember;
using testing::TestDataPath;

constexpr char kCorpusFile[] =
    "111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz";

void ExpectPadded(const std::string& s) { EXPECT_GE(s.capacity(), s.size() + kJsonPadding); }

// A deterministic, poorly compressible string of `n` bytes.
std::string Noise(std::size_t n) {
  std::string s(n, '\0');
  unsigned x = 12345;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>('a' + (x >> 16) % 26);
  }
  return s;
}

TEST(LooksGzip, ChecksMagic) {
  EXPECT_TRUE(LooksGzip("\x1f\x8b\x08"));
  EXPECT_FALSE(LooksGzip("\x1f"));
  EXPECT_FALSE(LooksGzip("{\"Records\":[]}"));
  EXPECT_FALSE(LooksGzip(""));
}

TEST(Gunzip, DecodesDeliveredCloudTrailFileAndParsesInPlace) {
  Result<std::string> bytes = ReadFile(TestDataPath(kCorpusFile));
  ASSERT_TRUE(bytes) << bytes.error().ToString();
  ASSERT_TRUE(LooksGzip(*bytes));
  std::string json;
  ASSERT_TRUE(Gunzip(*bytes, json));
  EXPECT_EQ(json.size(), 2843u);
  ExpectPadded(json);
  EXPECT_EQ(ClassifyInput(json), InputKind::kCloudTrailFile);

  simdjson::dom::parser parser;
  simdjson::dom::array records;
  ASSERT_EQ(parser.parse(simdjson::padded_string_view(json.data(), json.size(), json.capacity()))
                .at_key("Records")
                .get_array()
                .get(records),
            simdjson::SUCCESS);
  EXPECT_EQ(records.size(), 2u);
}

TEST(Gunzip, ConcatenatesMembersOfCommittedFile) {
  Result<std::string> bytes = ReadFile(TestDataPath("two_members.ndjson.gz"));
  ASSERT_TRUE(bytes) << bytes.error().ToString();
  std::string out;
  ASSERT_TRUE(Gunzip(*bytes, out));
  EXPECT_EQ(out,
            "{\"eventVersion\":\"1.08\",\"eventSource\":\"ec2.amazonaws.com\",\"eventName\":"
            "\"RunInstances\"}\n"
            "{\"eventVersion\":\"1.08\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":"
            "\"CreateUser\"}\n");
  EXPECT_EQ(ClassifyInput(out), InputKind::kNdjson);
}

TEST(Gunzip, GrowsPastTheIsizeHintForEarlierLargerMembers) {
  // The ISIZE hint comes from the last (tiny) member; the first needs the buffer to grow.
  const std::string big = Noise(3 << 20);
  const std::string mid(100000, 'x');  // compresses ~1000:1
  const std::string in = GzipMember(big) + GzipMember(mid) + GzipMember("") + GzipMember("end");
  std::string out;
  Result<void> r = Gunzip(in, out);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(out, big + mid + "end");
  ExpectPadded(out);
}

TEST(Gunzip, EmptyContentMember) {
  std::string out = "stale";
  ASSERT_TRUE(Gunzip(GzipMember(""), out));
  EXPECT_EQ(out, "");
  ExpectPadded(out);
}

// The complete members are kept, and so is the readable start of the damaged one (recovered
// with streaming inflate), so that the records before the damage can still be evaluated.
TEST(Gunzip, TruncatedMemberKeepsEverythingBeforeTheDamage) {
  const std::string first = "{\"eventName\":\"A\"}\n";
  const std::string second = Noise(5000);
  const std::string a = GzipMember(first);
  const std::string b = GzipMember(second);
  for (std::size_t cut : {std::size_t{1}, std::size_t{8}, b.size() / 2, b.size() - 1}) {
    SCOPED_TRACE(cut);
    const std::string in = a + b.substr(0, b.size() - cut);
    std::string out;
    Result<void> r = Gunzip(in, out);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
    const std::string whole = first + second;
    ASSERT_GE(out.size(), first.size());
    EXPECT_EQ(out, whole.substr(0, out.size()));  // a prefix of the true content
    if (cut >= b.size() / 2) {
      EXPECT_LT(out.size(), whole.size());
    }
    ExpectPadded(out);
    EXPECT_NE(r.error().message.find("member 2 at input offset " + std::to_string(a.size())),
              std::string::npos)
        << r.error().message;
    EXPECT_NE(
        r.error().message.find(std::to_string(out.size()) + " bytes decoded before the damage (" +
                               std::to_string(first.size()) + " from 1 complete member(s)"),
        std::string::npos)
        << r.error().message;
  }
}

// A bad CRC is reported; the content is still handed on (the caller reports the file as
// damaged, and an alert on possibly damaged data beats a silently lost one).
TEST(Gunzip, CorruptCrcIsCorruption) {
  std::string in = GzipMember("hello world");
  in[in.size() - 6] = static_cast<char>(in[in.size() - 6] ^ 0x55);  // inside CRC32
  std::string out;
  Result<void> r = Gunzip(in, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(out, "hello world");
}

TEST(Gunzip, EmptyInputIsCorruption) {
  std::string out = "stale";
  Result<void> r = Gunzip("", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_NE(r.error().message.find("empty input"), std::string::npos);
  EXPECT_EQ(out, "");
  ExpectPadded(out);
}

TEST(Gunzip, NotGzipIsCorruption) {
  std::string out;
  Result<void> r = Gunzip("{\"Records\":[]}", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
}

TEST(Gunzip, IgnoresTrailingNulPaddingButNotGarbage) {
  const std::string member = GzipMember("data");
  std::string out;
  ASSERT_TRUE(Gunzip(member + std::string(512, '\0'), out));
  EXPECT_EQ(out, "data");

  Result<void> r = Gunzip(member + "junk", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(out, "data");
  EXPECT_NE(r.error().message.find("offset " + std::to_string(member.size())), std::string::npos)
      << r.error().message;
}

TEST(Gunzip, EnforcesOutputLimit) {
  const std::string in = GzipMember(std::string(100000, 'a')) + GzipMember(std::string(10, 'b'));
  std::string out;
  Result<void> r = Gunzip(in, out, 50000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(out, "");
  ASSERT_TRUE(Gunzip(in, out, 100010));
  EXPECT_EQ(out.size(), 100010u);
}

TEST(Gunzipper, IsReusable) {
  Result<Gunzipper> g = Gunzipper::Create();
  ASSERT_TRUE(g);
  std::string out;
  for (int i = 0; i < 3; ++i) {
    const std::string text = "round " + std::to_string(i);
    ASSERT_TRUE(g->Decompress(GzipMember(text), out));
    EXPECT_EQ(out, text);
  }
}

// DecompressInto keeps the buffer at its largest size: after a 100,000-byte input, a 5-byte one
// is out[0, 5) and the buffer is not shrunk (so the next large input needs no zero fill).
TEST(Gunzipper, DecompressIntoKeepsTheBufferAndReportsTheSize) {
  Result<Gunzipper> g = Gunzipper::Create();
  ASSERT_TRUE(g);
  std::string out;
  std::size_t size = 1;
  const std::string big = Noise(100'000);
  ASSERT_TRUE(g->DecompressInto(GzipMember(big), out, size));
  EXPECT_EQ(size, big.size());
  EXPECT_GE(out.size(), big.size() + kJsonPadding);
  EXPECT_EQ(std::string_view(out.data(), size), big);
  ASSERT_TRUE(g->DecompressInto(GzipMember("small"), out, size));
  EXPECT_EQ(size, 5u);
  EXPECT_GE(out.size(), big.size() + kJsonPadding);
  EXPECT_EQ(std::string_view(out.data(), size), "small");
  // Two members after it: their content back to back.
  ASSERT_TRUE(g->DecompressInto(GzipMember("ab") + GzipMember("cde"), out, size));
  EXPECT_EQ(std::string_view(out.data(), size), "abcde");
}

// On damage, `size` counts what decoded before it, and the padding guarantee holds.
TEST(Gunzipper, DecompressIntoReportsThePrefixBeforeDamage) {
  Result<Gunzipper> g = Gunzipper::Create();
  ASSERT_TRUE(g);
  std::string out;
  std::size_t size = 0;
  ASSERT_TRUE(g->DecompressInto(GzipMember(Noise(50'000)), out, size));
  const std::string in = GzipMember("first") + "garbage";
  Result<void> r = g->DecompressInto(in, out, size);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(size, 5u);
  EXPECT_EQ(std::string_view(out.data(), size), "first");
  EXPECT_GE(out.size(), size + kJsonPadding);
  r = g->DecompressInto("", out, size);
  ASSERT_FALSE(r);
  EXPECT_EQ(size, 0u);
}

// Into a ByteBuffer: size() is the decoded size, whatever the buffer held before, with zeroed
// padding after it; members back to back, and a first member larger than the ISIZE hint (taken
// from the last member) grows the buffer.
TEST(Gunzipper, DecompressIntoAByteBuffer) {
  Result<Gunzipper> g = Gunzipper::Create();
  ASSERT_TRUE(g);
  ByteBuffer out;
  const std::string big = Noise(100'000);
  ASSERT_TRUE(g->DecompressInto(GzipMember(big), out));
  EXPECT_EQ(out.view(), big);
  ASSERT_TRUE(g->DecompressInto(GzipMember("small"), out));
  EXPECT_EQ(out.view(), "small");
  EXPECT_EQ(std::string_view(out.data() + out.size(), kJsonPadding),
            std::string(kJsonPadding, '\0'));
  ASSERT_TRUE(g->DecompressInto(GzipMember("ab") + GzipMember("") + GzipMember("cde"), out));
  EXPECT_EQ(out.view(), "abcde");
  const std::string huge = Noise(3 << 20);
  const std::string mid(100000, 'x');
  ASSERT_TRUE(g->DecompressInto(GzipMember(huge) + GzipMember(mid) + GzipMember("end"), out));
  EXPECT_EQ(out.view(), huge + mid + "end");
  EXPECT_GE(out.capacity(), out.size() + kJsonPadding);
}

// On damage, out holds what decoded before it (complete members, then the readable start of the
// damaged one), as Decompress does.
TEST(Gunzipper, DecompressIntoAByteBufferKeepsThePrefixBeforeDamage) {
  ByteBuffer out;
  ASSERT_TRUE(GunzipInto(GzipMember(Noise(50'000)), out));
  Result<void> r = GunzipInto(GzipMember("first") + "garbage", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kCorruption);
  EXPECT_EQ(out.view(), "first");
  EXPECT_GE(out.capacity(), out.size() + kJsonPadding);
  const std::string second = Noise(5000);
  const std::string b = GzipMember(second);
  r = GunzipInto(GzipMember("{}\n") + b.substr(0, b.size() / 2), out);
  ASSERT_FALSE(r);
  ASSERT_GE(out.size(), 3u);
  EXPECT_LT(out.size(), 3 + second.size());
  EXPECT_EQ(out.view(), ("{}\n" + second).substr(0, out.size()));
  r = GunzipInto("", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(out.size(), 0u);
  EXPECT_GE(out.capacity(), kJsonPadding);
}

}  // namespace
}  // namespace tw::decode
