#include "rules/attack.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "rules/loader.h"
#include "rules/rule_spec.h"

namespace tw::rules {
namespace {

// Every non-comment line of the bundled file is `<id>\t<name>`, and none is skipped or repeated.
TEST(AttackTest, EveryLineOfTheBundledListIsATechnique) {
  auto text = ReadTextFile(TW_SOURCE_DIR "/rules/attack/enterprise-techniques.tsv", 1 << 20);
  ASSERT_TRUE(text) << text.error().message;
  size_t lines = 0;
  std::set<std::string> ids;
  for (size_t start = 0; start < text->size();) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    const std::string line = text->substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '#') continue;
    ++lines;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    EXPECT_TRUE(ids.insert(line.substr(0, tab)).second) << "repeated: " << line;
    EXPECT_NE(FindAttackTechnique(line.substr(0, tab)), nullptr) << line;
    EXPECT_FALSE(line.substr(tab + 1).empty()) << line;
  }
  EXPECT_EQ(AttackTechniques().size(), lines);
  EXPECT_GE(lines, 50u);
}

TEST(AttackTest, VersionComesFromTheHeader) { EXPECT_EQ(AttackVersion(), "16.1"); }

TEST(AttackTest, KnownTechniquesAndNames) {
  // Names as published on attack.mitre.org.
  const AttackTechnique* t = FindAttackTechnique("T1562.008");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->name, "Disable or Modify Cloud Logs");
  ASSERT_NE(FindAttackTechnique("T1078.004"), nullptr);
  EXPECT_EQ(FindAttackTechnique("T1078.004")->name, "Cloud Accounts");
  EXPECT_EQ(FindAttackTechnique("T1562.0"), nullptr);
  EXPECT_EQ(FindAttackTechnique("t1562"), nullptr);
}

TEST(AttackTest, CheckAttackIdSaysWhatIsWrong) {
  EXPECT_FALSE(CheckAttackId("T1098.001").has_value());
  EXPECT_FALSE(CheckAttackId("T1098").has_value());
  auto malformed = CheckAttackId("TA0005");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->message, "`TA0005` is not an ATT&CK technique id");
  auto unknown = CheckAttackId("T1098.010");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->message, "unknown ATT&CK technique `T1098.010`");
  EXPECT_NE(unknown->hint.find("did you mean `T1098.001`"), std::string::npos) << unknown->hint;
  EXPECT_NE(unknown->hint.find("subset"), std::string::npos) << unknown->hint;
}

constexpr std::string_view kRule =
    "id: x\n"
    "title: t\n"
    "severity: low\n"
    "description: d\n"
    "tags: [logging, defense-evasion]\n"
    "mitre_attack:\n"
    "  - T1562.008\n"
    "  - T9999\n"
    "filter_pattern: '{ ($.eventName = StopLogging) }'\n";

TEST(AttackTest, UnknownTechniqueInARuleIsAPositionedDiagnostic) {
  const ParsedRuleFile parsed = ParseRuleFile(kRule, "r.yml", "");
  ASSERT_EQ(parsed.diagnostics.size(), 1u);
  const Diagnostic& d = parsed.diagnostics[0];
  EXPECT_EQ(d.where.ToString(), "r.yml:8:5");
  EXPECT_EQ(d.message, "unknown ATT&CK technique `T9999`");
  EXPECT_EQ(d.excerpt, "  - T9999");
  EXPECT_EQ(d.caret_column, 5);
}

TEST(AttackTest, TagsTechniquesAndPackReachTheRule) {
  std::string text(kRule);
  text.replace(text.find("  - T9999\n"), 10, "");
  auto rules = LoadRulesFromText(text, "builtin:rules/logging.yml", "");
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 1u);
  EXPECT_EQ((*rules)[0].tags, (std::vector<std::string>{"logging", "defense-evasion"}));
  EXPECT_EQ((*rules)[0].mitre_attack, (std::vector<std::string>{"T1562.008"}));
  EXPECT_EQ((*rules)[0].pack, "logging");
}

TEST(AttackTest, BadTagAndNonListAreDiagnostics) {
  const ParsedRuleFile parsed = ParseRuleFile(
      "id: x\ntitle: t\nseverity: low\ndescription: d\ntags: [Logging]\nmitre_attack: T1562\n"
      "filter_pattern: '{ ($.eventName = StopLogging) }'\n",
      "r.yml", "");
  ASSERT_EQ(parsed.diagnostics.size(), 2u) << FormatDiagnostics(parsed.diagnostics);
  EXPECT_EQ(parsed.diagnostics[0].message, "invalid tag `Logging`");
  EXPECT_EQ(parsed.diagnostics[0].where.ToString(), "r.yml:5:8");
  EXPECT_EQ(parsed.diagnostics[1].message, "`mitre_attack` must be a list, not a string");
}

}  // namespace
}  // namespace tw::rules
