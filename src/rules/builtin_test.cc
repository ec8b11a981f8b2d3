#include "rules/builtin.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "rules/inline_test.h"
#include "rules/lint.h"

namespace tw::rules {
namespace {

TEST(BuiltinTest, EveryRuleFileIsEmbedded) {
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(TW_SOURCE_DIR "/rules")) {
    if (entry.path().extension() == ".yml") on_disk.insert(entry.path().filename().string());
  }
  std::set<std::string> embedded;
  std::string previous;
  for (const BuiltinRuleFile& file : BuiltinRuleFiles()) {
    EXPECT_LT(previous, file.name) << "not sorted";
    previous = std::string(file.name);
    embedded.insert(std::string(file.name));
    EXPECT_FALSE(file.text.empty()) << file.name;
  }
  EXPECT_EQ(embedded, on_disk);
  EXPECT_FALSE(embedded.empty());
}

TEST(BuiltinTest, EmbeddedTextIsTheFileVerbatim) {
  for (const BuiltinRuleFile& file : BuiltinRuleFiles()) {
    const std::string path = std::string(TW_SOURCE_DIR "/rules/") + std::string(file.name);
    FILE* f = std::fopen(path.c_str(), "rb");
    ASSERT_NE(f, nullptr) << path;
    std::string content;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) content.append(buffer, n);
    std::fclose(f);
    EXPECT_EQ(file.text, content) << file.name;
  }
}

TEST(BuiltinTest, PackLoadsAndEveryInlineTestPasses) {
  auto rules = LoadBuiltinRules();
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  ASSERT_FALSE(rules->empty());
  for (const Rule& rule : *rules) {
    EXPECT_TRUE(rule.where.file.starts_with("builtin:rules/")) << rule.where.ToString();
    EXPECT_FALSE(rule.tests.empty()) << rule.id << " has no inline tests";
  }
  const std::vector<TestFailure> failures = RunInlineTests(*rules);
  std::string report;
  for (const TestFailure& f : failures) report += f.message + "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << CountInlineTests(*rules)
                                << " inline tests failed:\n"
                                << report;
}

TEST(BuiltinTest, PackIsLintClean) {
  auto rules = LoadBuiltinRules();
  ASSERT_TRUE(rules.has_value()) << rules.error().message;
  const std::vector<Diagnostic> warnings = LintRules(*rules);
  EXPECT_TRUE(warnings.empty()) << FormatDiagnostics(warnings);
}

}  // namespace
}  // namespace tw::rules

namespace tw::rules {
namespace {

// Scans load the pack without its inline tests; the rules must be the same ones.
TEST(BuiltinTest, SkippingInlineTestsKeepsEveryRuleAndPattern) {
  auto full = LoadBuiltinRules(InlineTests::kLoad);
  auto lean = LoadBuiltinRules(InlineTests::kSkip);
  ASSERT_TRUE(full) << full.error().message;
  ASSERT_TRUE(lean) << lean.error().message;
  ASSERT_EQ(full->size(), lean->size());
  for (size_t i = 0; i < full->size(); ++i) {
    const Rule& a = (*full)[i];
    const Rule& b = (*lean)[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.title, b.title);
    EXPECT_EQ(a.severity, b.severity);
    EXPECT_EQ(a.references, b.references);
    EXPECT_EQ(a.matcher->text, b.matcher->text);
    EXPECT_FALSE(a.tests.empty()) << a.id;
    EXPECT_TRUE(b.tests.empty()) << b.id;
  }
}

TEST(BuiltinTest, WithoutInlineTestsCutsOnlyATrailingSection) {
  EXPECT_EQ(WithoutInlineTests("id: a\ntests:\n  - expect: true\n"), "id: a\n");
  // `tests:` followed by another top-level key: left alone.
  const std::string_view other = "id: a\ntests:\n  - expect: true\ntitle: t\n";
  EXPECT_EQ(WithoutInlineTests(other), other);
  EXPECT_EQ(WithoutInlineTests("id: a\n"), "id: a\n");
}

}  // namespace
}  // namespace tw::rules
