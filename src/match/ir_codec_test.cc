#include "match/ir_codec.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cmath>

#include "match/matcher.h"

namespace tw::match {
namespace {

Path KeyPath(std::initializer_list<const char*> keys, ArrayMode mode) {
  Path path;
  path.mode = mode;
  for (const char* key : keys) {
    Step step;
    step.key = key;
    path.steps.push_back(std::move(step));
  }
  return path;
}

// A tree with every node kind but kDelimited and every operand field set to something other
// than its default.
NodePtr EveryField() {
  Leaf strings;
  strings.path = KeyPath({"detail", "eventName"}, ArrayMode::kFlatten);
  strings.op = Op::kStrEq;
  strings.operand.strings = {"A", std::string("nul\0byte", 8), ""};
  strings.negate = true;

  Leaf range;
  range.path = KeyPath({"n"}, ArrayMode::kExact);
  Step any_index;
  any_index.kind = StepKind::kAnyIndex;
  range.path.steps.push_back(any_index);
  Step index;
  index.kind = StepKind::kIndex;
  index.index = 300;  // two LEB128 bytes
  range.path.steps.push_back(index);
  Step any_key;
  any_key.kind = StepKind::kAnyKey;
  range.path.steps.push_back(any_key);
  range.op = Op::kNumRange;
  range.operand.lo = -1.5;
  range.operand.hi = std::numeric_limits<double>::infinity();
  range.operand.lo_inclusive = true;
  range.operand.numeric_strings = true;
  range.on_missing = true;

  Leaf numbers;
  numbers.target = Target::kToken;
  numbers.op = Op::kNumEq;
  numbers.operand.numbers = {0.0, 300.0, -2.25};

  Leaf cidr;
  cidr.target = Target::kRawText;
  cidr.op = Op::kCidr;
  CidrBlock block;
  block.v6 = true;
  for (uint8_t i = 0; i < 16; ++i) block.bytes[i] = static_cast<uint8_t>(i * 17);
  block.prefix_len = 64;
  cidr.operand.cidrs = {block};

  Leaf field_eq;
  field_eq.path = KeyPath({"a"}, ArrayMode::kDeep);
  field_eq.op = Op::kFieldEq;
  field_eq.operand.field = KeyPath({"b", "c"}, ArrayMode::kDeep);

  std::vector<NodePtr> any;
  any.push_back(MakeLeaf(std::move(numbers)));
  any.push_back(MakeNot(MakeLeaf(std::move(cidr))));
  any.push_back(MakeConst(false));
  std::vector<NodePtr> all;
  all.push_back(MakeLeaf(std::move(strings)));
  all.push_back(MakeScope(KeyPath({"items"}, ArrayMode::kFlatten), MakeLeaf(std::move(range))));
  all.push_back(MakeOr(std::move(any)));
  all.push_back(MakeLeaf(std::move(field_eq)));
  all.push_back(MakeConst(true));
  return MakeAnd(std::move(all));
}

TEST(IrCodecTest, RoundTripKeepsEveryField) {
  const NodePtr tree = EveryField();
  std::string bytes;
  ASSERT_TRUE(EncodeIr(*tree, bytes));
  auto decoded = DecodeIr(bytes);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(DumpIr(**decoded), DumpIr(*tree));
  std::string again;
  ASSERT_TRUE(EncodeIr(**decoded, again));
  EXPECT_EQ(again, bytes);
  // Fields DumpIr does not print.
  const Node& range_scope = *(*decoded)->children[1];
  const Leaf& range = *range_scope.children[0]->leaf;
  EXPECT_EQ(range.path.steps[2].index, 300u);
  EXPECT_TRUE(range.operand.numeric_strings);
  EXPECT_TRUE(range.operand.lo_inclusive);
  EXPECT_FALSE(range.operand.hi_inclusive);
  EXPECT_TRUE(std::isinf(range.operand.hi));
  EXPECT_EQ(range_scope.field_id, -1);
  const Leaf& cidr = *(*decoded)->children[2]->children[1]->children[0]->leaf;
  EXPECT_TRUE(cidr.operand.cidrs[0].v6);
  EXPECT_EQ(cidr.operand.cidrs[0].bytes[15], 255);
  EXPECT_EQ(cidr.operand.cidrs[0].prefix_len, 64);
  EXPECT_EQ((*decoded)->children[0]->leaf->operand.strings[1], std::string("nul\0byte", 8));
}

TEST(IrCodecTest, CompiledPatternsRoundTrip) {
  const std::pair<Language, const char*> patterns[] = {
      {Language::kFilterPattern,
       R"({ ($.eventName = "Delete*") && ($.errorCode NOT EXISTS) || $.n >= 3.5 })"},
      {Language::kEventPattern,
       R"({"detail": {"eventName": [{"prefix": "Put"}], "a": {"b": [{"anything-but": [1, 2]}]},
           "ip": [{"cidr": "10.0.0.0/8"}], "$or": [{"x": [{"exists": false}]}, {"y": [true]}]}})"},
  };
  for (const auto& [language, text] : patterns) {
    auto matcher = CompileMatcher(language, text);
    ASSERT_TRUE(matcher) << text;
    std::string bytes;
    ASSERT_TRUE(EncodeIr(*(*matcher)->root, bytes)) << text;
    auto decoded = DecodeIr(bytes);
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(DumpIr(**decoded), DumpIr(*(*matcher)->root)) << text;
  }
}

TEST(IrCodecTest, RegexAndDelimitedAreNotEncoded) {
  Leaf leaf;
  leaf.target = Target::kRawText;
  leaf.op = Op::kRegex;
  leaf.operand.regexes.push_back(std::make_unique<re2::RE2>("a+"));
  std::string bytes;
  auto result = EncodeIr(*MakeLeaf(std::move(leaf)), bytes);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnsupported);

  auto delimited = CompileMatcher(Language::kFilterPattern, "[ip, user, ...]");
  ASSERT_TRUE(delimited);
  bytes.clear();
  result = EncodeIr(*(*delimited)->root, bytes);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUnsupported);
}

TEST(IrCodecTest, DamagedInputIsRejected) {
  std::string bytes;
  ASSERT_TRUE(EncodeIr(*EveryField(), bytes));
  EXPECT_FALSE(DecodeIr(""));
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeIr(std::string_view(bytes).substr(0, n))) << "truncated to " << n;
  }
  EXPECT_FALSE(DecodeIr(bytes + "x")) << "trailing byte";
  std::string wrong_magic = bytes;
  wrong_magic[0] = 'X';
  EXPECT_FALSE(DecodeIr(wrong_magic));
  std::string bad_kind = bytes;
  bad_kind[1] = static_cast<char>(NodeKind::kDelimited);  // the root's kind byte
  auto result = DecodeIr(bad_kind);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kCorruption);
}

}  // namespace
}  // namespace tw::match
