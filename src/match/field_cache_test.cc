#include "match/field_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "match/matcher.h"

namespace tw::match {
namespace {

constexpr uint32_t kFilterDomain = static_cast<uint32_t>(Language::kFilterPattern);
constexpr uint32_t kEventDomain = static_cast<uint32_t>(Language::kEventPattern);

std::shared_ptr<const Matcher> Compile(Language language, const std::string& text) {
  auto m = CompileMatcher(language, text);
  EXPECT_TRUE(m) << text << ": " << m.error().message;
  if (!m) return nullptr;
  AssignFieldIds(*(*m)->root, static_cast<uint32_t>(language));
  return *m;
}

class FieldCacheTest : public ::testing::Test {
 protected:
  void Parse(const std::string& json) {
    ASSERT_EQ(parser_.parse(json).get(root_), simdjson::SUCCESS);
    cache_.NextEvent();
  }
  Subject Cached() {
    Subject s;
    s.raw = "{}";
    s.json = &root_;
    s.fields = &cache_;
    return s;
  }
  Subject Uncached() {
    Subject s = Cached();
    s.fields = nullptr;
    return s;
  }

  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  FieldCache cache_;
};

TEST_F(FieldCacheTest, RulesOnTheSamePathShareOneId) {
  auto a = Compile(Language::kFilterPattern, R"({ $.eventName = "CreateTrail" })");
  auto b = Compile(Language::kFilterPattern, R"({ $.eventName = "DeleteTrail" })");
  auto c = Compile(Language::kFilterPattern, R"({ $.eventSource = "s3.amazonaws.com" })");
  auto e = Compile(Language::kEventPattern, R"({"detail": {"eventName": ["DeleteTrail"]}})");
  ASSERT_TRUE(a && b && c && e);
  ASSERT_GE(a->root->field_id, 0);
  EXPECT_EQ(a->root->field_id, b->root->field_id);
  EXPECT_NE(a->root->field_id, c->root->field_id);
  // Assigning again (a second rule set over the same matchers) changes nothing.
  const int32_t before = a->root->field_id;
  EXPECT_EQ(AssignFieldIds(*a->root, kFilterDomain), 1u);
  EXPECT_EQ(a->root->field_id, before);
  (void)kEventDomain;
}

TEST_F(FieldCacheTest, ARepeatedPathIsResolvedOnce) {
  auto a = Compile(Language::kFilterPattern, R"({ $.eventName = "CreateTrail" })");
  auto b = Compile(Language::kFilterPattern, R"({ $.eventName = "DeleteTrail" })");
  auto c = Compile(Language::kFilterPattern,
                   R"({ $.eventName = "DeleteTrail" && $.userIdentity.type = "Root" })");
  ASSERT_TRUE(a && b && c);
  Parse(R"({"eventName":"DeleteTrail","userIdentity":{"type":"Root"}})");
  const Subject s = Cached();
  EXPECT_FALSE(Evaluate(*a->root, s));
  EXPECT_EQ(cache_.resolutions(), 1u);
  EXPECT_TRUE(Evaluate(*b->root, s));
  EXPECT_TRUE(Evaluate(*c->root, s));
  EXPECT_EQ(cache_.resolutions(), 2u);  // $.eventName once, $.userIdentity.type once
  EXPECT_EQ(cache_.hits(), 2u);

  // The next event resolves again and sees its own values.
  Parse(R"({"eventName":"CreateTrail"})");
  EXPECT_TRUE(Evaluate(*a->root, s));
  EXPECT_FALSE(Evaluate(*b->root, s));
  EXPECT_EQ(cache_.resolutions(), 3u);
}

TEST_F(FieldCacheTest, DomainsDoNotShareMemos) {
  // `source` of a filter pattern is a record member; of an event pattern, an envelope member.
  auto fp = Compile(Language::kFilterPattern, R"({ $.source = "x" })");
  auto ep = Compile(Language::kEventPattern, R"({"source": ["aws.cloudtrail"]})");
  ASSERT_TRUE(fp && ep);
  EXPECT_NE(fp->root->field_id, ep->root->field_id);
}

TEST_F(FieldCacheTest, PathsInsideAScopeAreNotFields) {
  // Same-element matching binds each array element; the paths below it start there.
  auto m = Compile(Language::kEventPattern, R"({"detail": {"items": {"a": ["1"], "b": ["2"]}}})");
  ASSERT_TRUE(m);
  std::vector<const Node*> stack{m->root.get()};
  int scoped_with_id = 0;
  auto visit_scope_children = [&](const Node& scope, auto& self) -> void {
    for (const auto& c : scope.children) {
      if (c->field_id >= 0) ++scoped_with_id;
      self(*c, self);
    }
  };
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (n->kind == NodeKind::kScope) {
      visit_scope_children(*n, visit_scope_children);
      continue;
    }
    for (const auto& c : n->children) stack.push_back(c.get());
  }
  EXPECT_EQ(scoped_with_id, 0);
}

// Multi-node paths ([*], .*, flattened arrays) and absent paths answer as without the cache.
TEST_F(FieldCacheTest, CachedAnswersEqualUncachedOnes) {
  const std::vector<std::pair<Language, std::string>> patterns = {
      {Language::kFilterPattern, R"({ $.a[*].b = "x" })"},
      {Language::kFilterPattern, R"({ $.a[*].b != "x" })"},
      {Language::kFilterPattern, R"({ $.a[1].b = "y" })"},
      {Language::kFilterPattern, R"({ $.m.* = 3 })"},
      {Language::kFilterPattern, R"({ $.missing NOT EXISTS })"},
      {Language::kFilterPattern, R"({ $.missing IS NULL || $.n = 3 })"},
      {Language::kFilterPattern, R"({ ($.a[*].b = "x") && ($.n > 2) })"},
      {Language::kFilterPattern, R"({ $.a = "x" })"},
      {Language::kEventPattern, R"({"a": {"b": ["x"]}})"},
      {Language::kEventPattern, R"({"a": {"b": [{"anything-but": "x"}]}})"},
      {Language::kEventPattern, R"({"a": {"b": [{"exists": false}]}})"},
      {Language::kEventPattern, R"({"a": [{"exists": true}]})"},
      {Language::kEventPattern, R"({"m": {"k": [{"numeric": [">", 1]}]}})"},
      {Language::kEventPattern, R"({"missing": [{"exists": false}], "n": [3]})"},
      {Language::kEventPattern, R"({"$or": [{"a": {"b": ["y"]}}, {"n": [4]}], "m": {"k": [3]}})"},
  };
  const std::vector<std::string> events = {
      R"({"a":[{"b":"x"},{"b":"y"}],"m":{"k":3,"j":"3"},"n":3})",
      R"({"a":[{"b":"z"}],"m":{"k":[1,[3]]},"n":null})",
      R"({"a":{"b":["x",["y"]]},"n":4})",
      R"({"a":[],"m":{}})",
      R"({})",
  };
  std::vector<std::shared_ptr<const Matcher>> matchers;
  for (const auto& [language, text] : patterns) {
    auto m = Compile(language, text);
    ASSERT_TRUE(m);
    matchers.push_back(m);
  }
  for (const auto& event : events) {
    Parse(event);
    // Twice over: the first pass fills the memo, the second answers from it.
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t i = 0; i < matchers.size(); ++i) {
        EXPECT_EQ(Evaluate(*matchers[i]->root, Cached()), Evaluate(*matchers[i]->root, Uncached()))
            << patterns[i].second << " on " << event << " pass " << pass;
      }
    }
  }
  EXPECT_GT(cache_.hits(), 0u);
}

}  // namespace
}  // namespace tw::match
