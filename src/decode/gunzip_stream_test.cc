#include "decode/gunzip_stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "decode/test_helpers.h"

namespace tw::decode {
namespace {

using testing::GzipMember;

struct Outcome {
  std::string out;
  std::vector<Error> errors;
  int breaks = 0;
  Result<void> finish;
};

// Decodes `in`, handed over `chunk` bytes at a time, into output room of `room` bytes a step.
Outcome Decode(const std::string& in, std::size_t chunk, std::size_t room) {
  auto made = GunzipStream::Create();
  EXPECT_TRUE(made.has_value());
  GunzipStream gz = std::move(*made);
  Outcome o;
  std::string held;  // input given but not consumed
  std::size_t next = 0;
  for (;;) {
    std::string space(room, '\0');
    const GunzipStream::Step step = gz.Inflate(held, std::span<char>(space.data(), room));
    o.out.append(space.data(), step.written);
    held.erase(0, step.consumed);
    if (step.error) o.errors.push_back(*step.error);
    if (step.broke) ++o.breaks;
    if (step.consumed == 0 && step.written == 0 && !step.error) {
      if (next >= in.size()) break;
      held.append(in, next, chunk);
      next += chunk;
    }
  }
  o.finish = gz.Finish(held);
  return o;
}

std::string Text(char c, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(c + static_cast<char>(i % 7));
  return s;
}

TEST(GunzipStream, MultiMemberInAnyPieces) {
  const std::string a = R"({"Records":[{"eventName":"A"}]})";
  const std::string b = Text('b', 5000);
  const std::string c = R"({"Records":[]})";
  const std::string in = GzipMember(a) + GzipMember(b) + GzipMember(c) + std::string(3, '\0');
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{7}, in.size()}) {
    for (const std::size_t room : {std::size_t{1}, std::size_t{13}, std::size_t{1} << 16}) {
      SCOPED_TRACE(::testing::Message() << "chunk " << chunk << " room " << room);
      const Outcome o = Decode(in, chunk, room);
      EXPECT_EQ(o.out, a + b + c);
      EXPECT_TRUE(o.errors.empty());
      EXPECT_EQ(o.breaks, 0);
      EXPECT_TRUE(o.finish.has_value());
    }
  }
}

TEST(GunzipStream, DamagedMemberIsReportedAndTheNextOneRead) {
  const std::string a = Text('a', 3000);
  const std::string b = Text('b', 3000);
  const std::string c = Text('c', 3000);
  std::string bad = GzipMember(b);
  for (std::size_t i = 12; i < bad.size() - 8; ++i) bad[i] = static_cast<char>(0xff);
  const std::string in = GzipMember(a) + bad + GzipMember(c);
  const Outcome o = Decode(in, 64, 4096);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_EQ(o.errors[0].code, ErrorCode::kCorruption);
  EXPECT_NE(o.errors[0].message.find("member 2"), std::string::npos) << o.errors[0].message;
  EXPECT_EQ(o.breaks, 1);
  EXPECT_EQ(o.out.substr(0, a.size()), a);
  ASSERT_GE(o.out.size(), a.size() + c.size());
  EXPECT_EQ(o.out.substr(o.out.size() - c.size()), c);
  EXPECT_TRUE(o.finish.has_value());
}

TEST(GunzipStream, BytesBetweenMembersAreReported) {
  const std::string a = Text('a', 100);
  const std::string c = Text('c', 100);
  const Outcome o = Decode(GzipMember(a) + "junk" + GzipMember(c), 5, 64);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_NE(o.errors[0].message.find("are not a gzip member"), std::string::npos);
  EXPECT_EQ(o.out, a + c);
  EXPECT_TRUE(o.finish.has_value());
}

TEST(GunzipStream, TruncatedStreamIsReportedByFinish) {
  const std::string a = Text('a', 100);
  const std::string b = GzipMember(Text('b', 4000));
  const Outcome o = Decode(GzipMember(a) + b.substr(0, b.size() / 2), 16, 1024);
  EXPECT_TRUE(o.errors.empty());
  EXPECT_EQ(o.out.substr(0, a.size()), a);
  ASSERT_FALSE(o.finish.has_value());
  EXPECT_EQ(o.finish.error().code, ErrorCode::kCorruption);
  EXPECT_NE(o.finish.error().message.find("truncated"), std::string::npos);
}

TEST(GunzipStream, NotGzip) {
  const Outcome o = Decode("{\"Records\":[]}", 4, 64);
  ASSERT_EQ(o.errors.size(), 1u);
  EXPECT_TRUE(o.out.empty());
}

}  // namespace
}  // namespace tw::decode
