#include "rules/yaml_adapter.h"

#include <gtest/gtest.h>

namespace tw::rules {
namespace {

TEST(YamlAdapterTest, PositionsAndStyles) {
  constexpr std::string_view kText =
      "a: plain\n"
      "b: 'single'\n"
      "c: \"double\"\n"
      "d: |\n"
      "  block\n"
      "e:\n"
      "f: [1, x]\n";
  auto docs = ParseYaml(kText);
  ASSERT_TRUE(docs.has_value()) << docs.error().message;
  ASSERT_EQ(docs->size(), 1u);
  const YamlNode& root = (*docs)[0];
  ASSERT_EQ(root.kind, YamlKind::kMapping);
  ASSERT_EQ(root.members.size(), 6u);
  EXPECT_EQ(root.line, 1);
  EXPECT_EQ(root.column, 1);

  const auto& [ka, va] = root.members[0];
  EXPECT_EQ(ka.scalar, "a");
  EXPECT_EQ(va.style, ScalarStyle::kPlain);
  EXPECT_EQ(va.line, 1);
  EXPECT_EQ(va.column, 4);
  EXPECT_EQ(va.offset, 3u);

  EXPECT_EQ(root.members[1].second.style, ScalarStyle::kSingleQuoted);
  EXPECT_EQ(root.members[1].second.scalar, "single");
  EXPECT_EQ(root.members[2].second.style, ScalarStyle::kDoubleQuoted);
  EXPECT_EQ(root.members[3].second.style, ScalarStyle::kLiteral);
  EXPECT_EQ(root.members[3].second.scalar, "block\n");
  EXPECT_EQ(root.members[4].second.kind, YamlKind::kNull);
  EXPECT_EQ(root.members[4].second.line, 0);  // empty values have no position of their own

  const YamlNode& seq = root.members[5].second;
  ASSERT_EQ(seq.kind, YamlKind::kSequence);
  ASSERT_EQ(seq.items.size(), 2u);
  EXPECT_EQ(seq.items[1].scalar, "x");
  EXPECT_EQ(seq.items[1].line, 7);
  EXPECT_EQ(seq.items[1].column, 8);
}

TEST(YamlAdapterTest, DuplicateKeysAreKeptInOrder) {
  auto docs = ParseYaml("a: 1\na: 2\n");
  ASSERT_TRUE(docs.has_value());
  ASSERT_EQ((*docs)[0].members.size(), 2u);
  EXPECT_EQ((*docs)[0].members[1].second.scalar, "2");
}

TEST(YamlAdapterTest, SyntaxErrorHasPosition) {
  auto docs = ParseYaml("a: [1,\nb: 2\n");
  ASSERT_FALSE(docs.has_value());
  EXPECT_GT(docs.error().line, 0);
  EXPECT_FALSE(docs.error().message.empty());
}

TEST(YamlAdapterTest, EmptyTextAndMultipleDocuments) {
  auto empty = ParseYaml("# only a comment\n");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty() || (*empty)[0].kind == YamlKind::kNull);
  auto two = ParseYaml("a: 1\n---\nb: 2\n");
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(two->size(), 2u);
}

// rule_file_fuzzer, 2026-12-01: yaml-cpp 0.7's LoadAll loops forever, allocating, on a `,` where
// a document should start (jbeder/yaml-cpp#1040). It is a syntax error at that comma: line 2,
// column 1 (counted by hand).
TEST(YamlAdapterTest, AStrayCommaWhereADocumentStartsIsAnErrorNotALoop) {
  for (const char* text : {"- 1\n, ~\n", ",\n", "id: x\n---\n- 1\n, ~\n...\n"}) {
    auto docs = ParseYaml(text);
    ASSERT_FALSE(docs.has_value()) << text;
    EXPECT_NE(docs.error().message.find("unexpected `,`"), std::string::npos)
        << docs.error().message;
  }
  auto docs = ParseYaml("- 1\n, ~\n");
  ASSERT_FALSE(docs.has_value());
  EXPECT_EQ(docs.error().line, 2);
  EXPECT_EQ(docs.error().column, 1);
}

// An alias to the node that contains it would be a cycle: an error at the alias (line 1,
// column 11, counted by hand), not a nesting-depth error.
TEST(YamlAdapterTest, AnAliasInsideItsOwnAnchorIsACycle) {
  auto docs = ParseYaml("a: &a [1, *a]\n");
  ASSERT_FALSE(docs.has_value());
  EXPECT_EQ(docs.error().line, 1);
  EXPECT_EQ(docs.error().column, 11);
  EXPECT_NE(docs.error().message.find("cycle"), std::string::npos) << docs.error().message;
}

TEST(YamlAdapterTest, DeepNestingIsRejected) {
  std::string text(kMaxYamlDepth + 10, '[');
  text += std::string(kMaxYamlDepth + 10, ']');
  auto docs = ParseYaml(text);
  ASSERT_FALSE(docs.has_value());
  EXPECT_NE(docs.error().message.find("nesting"), std::string::npos) << docs.error().message;
}

}  // namespace
}  // namespace tw::rules

namespace tw::rules {
namespace {

// 9 levels of 9 aliases: 9^9 nodes if expanded naively.
TEST(YamlAdapterTest, AliasBombIsRejectedQuickly) {
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 9; ++k) text += (k ? ", *a" : "*a") + std::to_string(i - 1);
    text += "]\n";
  }
  auto r = ParseYaml(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("aliases are expanded"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace tw::rules
