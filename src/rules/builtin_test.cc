#include "rules/builtin.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <span>

#include "match/ir_codec.h"
#include "match/matcher.h"
#include "rules/builtin_table.h"
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

// Scans build the pack from the table the build parsed (builtin_table.h); it must hold exactly
// the rules the YAML does, field by field.
TEST(BuiltinTest, PrecompiledPackEqualsTheYamlPack) {
  auto full = LoadBuiltinRules(InlineTests::kLoad);
  auto lean = LoadBuiltinRules(InlineTests::kSkip);
  ASSERT_TRUE(full) << full.error().message;
  ASSERT_TRUE(lean) << lean.error().message;
  ASSERT_EQ(full->size(), lean->size());
  for (size_t i = 0; i < full->size(); ++i) {
    const Rule& a = (*full)[i];
    const Rule& b = (*lean)[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.title, b.title) << a.id;
    EXPECT_EQ(a.description, b.description) << a.id;
    EXPECT_EQ(a.severity, b.severity) << a.id;
    EXPECT_EQ(a.references, b.references) << a.id;
    EXPECT_EQ(a.tags, b.tags) << a.id;
    EXPECT_EQ(a.mitre_attack, b.mitre_attack) << a.id;
    EXPECT_EQ(a.pack, b.pack) << a.id;
    EXPECT_EQ(a.matcher->language, b.matcher->language) << a.id;
    EXPECT_EQ(a.matcher->text, b.matcher->text) << a.id;
    EXPECT_EQ(match::DumpIr(*a.matcher->root), match::DumpIr(*b.matcher->root)) << a.id;
    EXPECT_EQ(a.where.ToString(), b.where.ToString()) << a.id;
    EXPECT_EQ(a.pattern_where.ToString(), b.pattern_where.ToString()) << a.id;
    EXPECT_TRUE(a.policy == b.policy) << a.id;
    EXPECT_TRUE(a.policy_keys == b.policy_keys) << a.id;
    EXPECT_FALSE(a.tests.empty()) << a.id;
    EXPECT_TRUE(b.tests.empty()) << b.id;
  }
}

// A rule's policy keys travel through the table as JSON (RuleSpec::policy_json) and come back
// equal to what the YAML loader reads.
TEST(BuiltinTest, PrecompiledPolicyEqualsTheYamlPolicy) {
  const std::string yaml = R"(id: r
title: t
severity: high
description: d
filter_pattern: '{ $.eventName = X }'
schedule: outside_business_hours
suppress: [{field: sourceIPAddress, cidr: [10.0.0.0/8], name: office}]
dedupe: {window: 1h}
threshold: {count: 5, window: 10m, group_by: sourceIPAddress}
)";
  const ParsedRuleFile parsed = ParseRuleFile(yaml, "r.yml", "");
  ASSERT_TRUE(parsed.diagnostics.empty()) << FormatDiagnostics(parsed.diagnostics);
  ASSERT_EQ(parsed.rules.size(), 1u);
  const RuleSpec& spec = parsed.rules[0];
  internal::PrecompiledRule entry;
  entry.file = "r.yml";
  entry.id = "r";
  entry.pattern = spec.pattern;
  entry.policy_json = spec.policy_json;
  const LoadedRules loaded =
      internal::BuildPrecompiledRules(std::span<const internal::PrecompiledRule>(&entry, 1));
  ASSERT_TRUE(loaded.diagnostics.empty()) << FormatDiagnostics(loaded.diagnostics);
  ASSERT_EQ(loaded.rules.size(), 1u);
  const RulePolicy& p = loaded.rules[0].policy;
  EXPECT_EQ(p.schedule, Schedule::kOutsideBusinessHours);
  ASSERT_EQ(p.suppress.size(), 1u);
  EXPECT_EQ(p.suppress[0].cidr, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(p.suppress[0].name, "office");
  EXPECT_EQ(p.dedupe.window, std::chrono::hours(1));
  EXPECT_EQ(p.threshold.count, 5);
  EXPECT_EQ(p.threshold.window, std::chrono::minutes(10));
  EXPECT_TRUE(p == spec.policy);
  EXPECT_TRUE(loaded.rules[0].policy_keys == spec.policy_keys);
  EXPECT_TRUE(spec.policy_keys.schedule && spec.policy_keys.dedupe_window &&
              !spec.policy_keys.dedupe_key && !spec.policy_keys.severity);
}

TEST(BuiltinTest, PrecompiledPatternErrorIsReportedAtThePattern) {
  const std::span<const internal::PrecompiledRule> pack = internal::PrecompiledBuiltinRules();
  ASSERT_FALSE(pack.empty());
  internal::PrecompiledRule broken = pack.front();
  broken.language = match::Language::kFilterPattern;
  broken.pattern = "{ ($.eventName = ) }";
  broken.ir = {};  // no tree from the build: the pattern is compiled at start-up
  const LoadedRules loaded =
      internal::BuildPrecompiledRules(std::span<const internal::PrecompiledRule>(&broken, 1));
  EXPECT_TRUE(loaded.rules.empty());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  const Diagnostic& d = loaded.diagnostics[0];
  EXPECT_EQ(d.where.ToString(), fmt::format("builtin:rules/{}:{}:{}", broken.file,
                                            broken.pattern_line, broken.pattern_column));
  EXPECT_NE(d.message.find("invalid filter pattern"), std::string::npos) << d.ToString();
  EXPECT_FALSE(d.excerpt.empty()) << d.ToString();
}

// Every tree stored at build time is, byte for byte in the codec's form (which holds every field
// of the IR), what CompileMatcher makes of the pattern now; a rule without a tree is one the
// codec cannot hold.
TEST(BuiltinTest, PrecompiledTreesEqualFreshCompiles) {
  size_t with_tree = 0;
  for (const internal::PrecompiledRule& entry : internal::PrecompiledBuiltinRules()) {
    auto fresh = match::CompileMatcher(entry.language, entry.pattern);
    ASSERT_TRUE(fresh) << entry.id << ": " << fresh.error().message;
    std::string encoded;
    const bool encodable = match::EncodeIr(*(*fresh)->root, encoded).has_value();
    if (entry.ir.empty()) {
      EXPECT_FALSE(encodable) << entry.id << " could have been stored";
      continue;
    }
    ++with_tree;
    EXPECT_EQ(encoded, entry.ir) << entry.id;
    auto decoded = match::DecodeIr(entry.ir);
    ASSERT_TRUE(decoded) << entry.id << ": " << decoded.error().message;
    EXPECT_EQ(match::DumpIr(**decoded), match::DumpIr(*(*fresh)->root)) << entry.id;
  }
  // The pack has no regex or space-delimited pattern today: every rule is stored.
  EXPECT_EQ(with_tree, internal::PrecompiledBuiltinRules().size());
}

// A damaged tree in the table is not trusted: the pattern is compiled instead.
TEST(BuiltinTest, DamagedPrecompiledTreeFallsBackToCompiling) {
  const std::span<const internal::PrecompiledRule> pack = internal::PrecompiledBuiltinRules();
  ASSERT_FALSE(pack.empty());
  internal::PrecompiledRule entry = pack.front();
  ASSERT_FALSE(entry.ir.empty());
  const std::string truncated(entry.ir.substr(0, entry.ir.size() - 1));
  entry.ir = truncated;
  const LoadedRules loaded =
      internal::BuildPrecompiledRules(std::span<const internal::PrecompiledRule>(&entry, 1));
  ASSERT_TRUE(loaded.diagnostics.empty()) << FormatDiagnostics(loaded.diagnostics);
  ASSERT_EQ(loaded.rules.size(), 1u);
  auto fresh = match::CompileMatcher(entry.language, entry.pattern);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(match::DumpIr(*loaded.rules[0].matcher->root), match::DumpIr(*(*fresh)->root));
}

TEST(BuiltinTest, PrecompiledDuplicateIdIsReported) {
  const std::span<const internal::PrecompiledRule> pack = internal::PrecompiledBuiltinRules();
  ASSERT_FALSE(pack.empty());
  const internal::PrecompiledRule twice[] = {pack.front(), pack.front()};
  const LoadedRules loaded = internal::BuildPrecompiledRules(twice);
  EXPECT_TRUE(loaded.rules.empty());
  ASSERT_EQ(loaded.diagnostics.size(), 1u);
  EXPECT_NE(loaded.diagnostics[0].message.find("duplicate rule id"), std::string::npos);
}

}  // namespace
}  // namespace tw::rules
