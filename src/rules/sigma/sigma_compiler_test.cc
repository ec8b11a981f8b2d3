// Hand-written cases for the Sigma front end: every modifier and condition form, the metadata
// mapping, and the errors with their positions. Expected values come from the Sigma
// specification (github.com/SigmaHQ/sigma-specification) and docs/sigma.md, worked by hand.
#include <gtest/gtest.h>

#include <string>

#include "rules/inline_test.h"
#include "rules/loader.h"
#include "rules/sigma/sigma_rule.h"

namespace tw::rules::sigma {
namespace {

// A Sigma rule with `detection` (indented by 4, as SigmaHQ writes it) under a fixed header.
// The header is 5 lines, so the detection's first line is line 7 ("detection:" is line 6).
std::string Rule(std::string_view detection) {
  return "title: Test rule\n"
         "id: 0123abcd-0000-4000-8000-000000000000\n"
         "logsource:\n"
         "    product: aws\n"
         "    service: cloudtrail\n"
         "detection:\n" +
         std::string(detection) + "level: high\n";
}

SigmaRule Load(std::string_view text) {
  SigmaLoadResult r = LoadSigmaRules(text, "t.yml");
  EXPECT_TRUE(r.diagnostics.empty()) << FormatDiagnostics(r.diagnostics);
  EXPECT_EQ(r.rules.size(), 1u);
  if (r.rules.empty()) return SigmaRule{};
  return std::move(r.rules[0]);
}

// The rendered diagnostics of a text that must not load.
std::string Errors(std::string_view text) {
  SigmaLoadResult r = LoadSigmaRules(text, "t.yml");
  EXPECT_FALSE(r.diagnostics.empty());
  EXPECT_TRUE(r.rules.empty());
  return FormatDiagnostics(r.diagnostics);
}

bool Fires(const SigmaRule& rule, std::string_view event) {
  if (rule.rule.matcher == nullptr) return false;
  Result<bool> m = MatchEventJson(rule.rule, event);
  EXPECT_TRUE(m.has_value()) << m.error().message;
  return m.value_or(false);
}

TEST(SigmaValues, StringsAreCaseInsensitiveWithWildcards) {
  const SigmaRule r =
      Load(Rule("    sel:\n        eventName: 'Delete*Trail'\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"eventName":"DeleteTrail"})"));
  EXPECT_TRUE(Fires(r, R"({"eventName":"deleteMyTRAIL"})"));
  EXPECT_FALSE(Fires(r, R"({"eventName":"DeleteTrails"})"));
  EXPECT_FALSE(Fires(r, R"({"other":"DeleteTrail"})"));
}

TEST(SigmaValues, QuestionMarkIsOneCharacterAndEscapesAreLiteral) {
  const SigmaRule r =
      Load(Rule("    sel:\n        a: 'x?z'\n        b: 'p\\*q\\?\\\\'\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"a":"xYz","b":"p*q?\\"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"xz","b":"p*q?\\"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"xyz","b":"pAq?\\"})"));  // \* is a literal star
}

TEST(SigmaValues, ListIsOrMapIsAndListOfMapsIsOr) {
  const SigmaRule r =
      Load(Rule("    sel:\n"
                "        - eventSource: ec2.amazonaws.com\n"
                "          eventName: [CreateRoute, DeleteRoute]\n"
                "        - eventName: StopLogging\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"eventSource":"ec2.amazonaws.com","eventName":"DeleteRoute"})"));
  EXPECT_FALSE(Fires(r, R"({"eventSource":"s3.amazonaws.com","eventName":"DeleteRoute"})"));
  EXPECT_TRUE(Fires(r, R"({"eventSource":"s3.amazonaws.com","eventName":"StopLogging"})"));
}

TEST(SigmaValues, NumbersBooleansNull) {
  const SigmaRule r =
      Load(Rule("    sel:\n        n: 22\n        t: true\n        gone: null\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"n":22,"t":true})"));
  EXPECT_TRUE(Fires(r, R"({"n":"22","t":"TRUE","gone":null})"));
  EXPECT_FALSE(Fires(r, R"({"n":23,"t":true})"));
  EXPECT_FALSE(Fires(r, R"({"n":22,"t":false})"));
  EXPECT_FALSE(Fires(r, R"({"n":22,"t":true,"gone":"x"})"));
}

TEST(SigmaValues, QuotedBooleanMatchesJsonBoolean) {
  // aws_cloudtrail_guardduty_detector_deleted_or_updated writes 'false' for a JSON false.
  const SigmaRule r =
      Load(Rule("    sel:\n        requestParameters.enable: 'false'\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"requestParameters":{"enable":false}})"));
  EXPECT_TRUE(Fires(r, R"({"requestParameters":{"enable":"False"}})"));
  EXPECT_FALSE(Fires(r, R"({"requestParameters":{"enable":true}})"));
}

TEST(SigmaValues, DottedFieldsReachNestedAndArrayValues) {
  const SigmaRule r =
      Load(Rule("    sel:\n        requestParameters.containerDefinitions."
                "command|contains: CREDS\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(
      r, R"({"requestParameters":{"containerDefinitions":[{"command":["sh","echo $creds"]}]}})"));
  EXPECT_FALSE(Fires(r, R"({"requestParameters":{"containerDefinitions":[{"command":["sh"]}]}})"));
}

TEST(SigmaValues, ObjectFieldStandsForEveryScalarBelowIt) {
  const SigmaRule r =
      Load(Rule("    sel:\n        requestParameters|contains: Suspended\n"
                "    condition: sel\n"));
  EXPECT_TRUE(
      Fires(r, R"({"requestParameters":{"VersioningConfiguration":{"Status":"Suspended"}}})"));
  EXPECT_FALSE(
      Fires(r, R"({"requestParameters":{"VersioningConfiguration":{"Status":"Enabled"}}})"));
}

TEST(SigmaModifiers, ContainsStartswithEndswith) {
  const SigmaRule r =
      Load(Rule("    sel:\n        a|contains: mid\n        b|startswith: "
                "Pre\n        c|endswith: end\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"a":"xxMIDxx","b":"prefix","c":"THE END"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"xxMIxx","b":"prefix","c":"THE END"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"mid","b":"xpre","c":"THE END"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"mid","b":"pre","c":"ending"})"));
}

TEST(SigmaModifiers, ContainsKeepsInnerWildcards) {
  const SigmaRule r = Load(Rule("    sel:\n        a|contains: 'x*z'\n    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"a":"__x__z__"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"__z__x__"})"));
}

TEST(SigmaModifiers, AllNeedsEveryValue) {
  const SigmaRule r =
      Load(Rule("    sel:\n        a|contains|all:\n            - one\n"
                "            - two\n    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"a":"two and one"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"only one"})"));
}

TEST(SigmaModifiers, ReIsCaseSensitiveUnlessI) {
  const SigmaRule r = Load(Rule("    sel:\n        a|re: '^ab+c$'\n    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"a":"abbbc"})"));
  EXPECT_FALSE(Fires(r, R"({"a":"ABC"})"));
  const SigmaRule i = Load(Rule("    sel:\n        a|re|i: '^ab+c$'\n    condition: sel\n"));
  EXPECT_TRUE(Fires(i, R"({"a":"ABC"})"));
}

TEST(SigmaModifiers, CidrV4AndV6) {
  const SigmaRule r =
      Load(Rule("    sel:\n        sourceIPAddress|cidr:\n"
                "            - 10.0.0.0/8\n            - '2001:db8::/32'\n"
                "    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"sourceIPAddress":"10.200.3.4"})"));
  EXPECT_TRUE(Fires(r, R"({"sourceIPAddress":"2001:db8:1::5"})"));
  EXPECT_FALSE(Fires(r, R"({"sourceIPAddress":"11.0.0.1"})"));
  EXPECT_FALSE(Fires(r, R"({"sourceIPAddress":"2001:db9::1"})"));
  EXPECT_FALSE(Fires(r, R"({"sourceIPAddress":"AWS Internal"})"));
}

TEST(SigmaModifiers, Exists) {
  const SigmaRule yes =
      Load(Rule("    sel:\n        errorCode|exists: true\n    condition: sel\n"));
  const SigmaRule no =
      Load(Rule("    sel:\n        errorCode|exists: false\n    condition: sel\n"));
  EXPECT_TRUE(Fires(yes, R"({"errorCode":"AccessDenied"})"));
  EXPECT_FALSE(Fires(yes, R"({"eventName":"x"})"));
  EXPECT_FALSE(Fires(no, R"({"errorCode":"AccessDenied"})"));
  EXPECT_TRUE(Fires(no, R"({"eventName":"x"})"));
}

TEST(SigmaModifiers, FieldrefComparesTwoFields) {
  const SigmaRule r =
      Load(Rule("    sel:\n        userIdentity.userName|fieldref: "
                "requestParameters.userName\n    condition: sel\n"));
  EXPECT_TRUE(
      Fires(r, R"({"userIdentity":{"userName":"bob"},"requestParameters":{"userName":"bob"}})"));
  EXPECT_FALSE(
      Fires(r, R"({"userIdentity":{"userName":"bob"},"requestParameters":{"userName":"eve"}})"));
  EXPECT_FALSE(Fires(r, R"({"userIdentity":{"userName":"bob"}})"));
}

TEST(SigmaModifiers, CasedAndNumericComparisons) {
  const SigmaRule r =
      Load(Rule("    sel:\n        a|cased: Abc\n        n|gte: 10\n"
                "        m|lt: 3\n    condition: sel\n"));
  EXPECT_TRUE(Fires(r, R"({"a":"Abc","n":10,"m":2.5})"));
  EXPECT_FALSE(Fires(r, R"({"a":"abc","n":10,"m":2.5})"));
  EXPECT_FALSE(Fires(r, R"({"a":"Abc","n":9,"m":2.5})"));
  EXPECT_FALSE(Fires(r, R"({"a":"Abc","n":10,"m":3})"));
}

// Conditions. a, b, c are three selections on fields a, b, c equal to 1.
std::string Abc(std::string_view condition) {
  return Rule(
      "    sel_a:\n        a: 'y'\n    sel_b:\n        b: 'y'\n    filter_c:\n"
      "        c: 'y'\n    _hidden:\n        d: 'y'\n    condition: " +
      std::string(condition) + "\n");
}

TEST(SigmaConditions, PrecedenceNotAndOr) {
  // not binds tighter than and, and than or: `sel_a or sel_b and not filter_c`
  // = sel_a or (sel_b and (not filter_c)).
  const SigmaRule r = Load(Abc("sel_a or sel_b and not filter_c"));
  EXPECT_TRUE(Fires(r, R"({"a":"y","c":"y"})"));
  EXPECT_TRUE(Fires(r, R"({"b":"y"})"));
  EXPECT_FALSE(Fires(r, R"({"b":"y","c":"y"})"));
  const SigmaRule p = Load(Abc("(sel_a or sel_b) and not filter_c"));
  EXPECT_FALSE(Fires(p, R"({"a":"y","c":"y"})"));
  EXPECT_TRUE(Fires(p, R"({"a":"y"})"));
}

TEST(SigmaConditions, OneOfAndAllOfPatterns) {
  const SigmaRule one = Load(Abc("1 of sel_*"));
  EXPECT_TRUE(Fires(one, R"({"b":"y"})"));
  EXPECT_FALSE(Fires(one, R"({"c":"y"})"));
  const SigmaRule all = Load(Abc("all of sel_*"));
  EXPECT_FALSE(Fires(all, R"({"b":"y"})"));
  EXPECT_TRUE(Fires(all, R"({"a":"y","b":"y"})"));
  const SigmaRule nof = Load(Abc("sel_a and not 1 of filter*"));
  EXPECT_FALSE(Fires(nof, R"({"a":"y","c":"y"})"));
  EXPECT_TRUE(Fires(nof, R"({"a":"y"})"));
}

TEST(SigmaConditions, ThemLeavesOutUnderscoreNames) {
  const SigmaRule one = Load(Abc("1 of them"));
  EXPECT_TRUE(Fires(one, R"({"c":"y"})"));
  EXPECT_FALSE(Fires(one, R"({"d":"y"})"));  // _hidden is not part of `them`
  const SigmaRule all = Load(Abc("all of them"));
  EXPECT_TRUE(Fires(all, R"({"a":"y","b":"y","c":"y"})"));
  EXPECT_FALSE(Fires(all, R"({"a":"y","b":"y"})"));
}

TEST(SigmaRuleMetadata, LevelTagsReferencesFalsePositivesAndId) {
  const std::string text =
      "title: Some Thing Happened\n"
      "id: 4DB60CC0-36FB-42B7-9B58-A5B53019FB74\n"
      "author: A. Author\n"
      "description: What it is.\n"
      "references:\n    - https://example.com/x\n"
      "tags:\n    - attack.defense-evasion\n    - attack.t1562.008\n    - attack.t1078\n"
      "logsource:\n    product: aws\n    service: cloudtrail\n"
      "detection:\n    sel:\n        eventName: X\n    condition: sel\n"
      "falsepositives:\n    - Admins\n    - Tests\n"
      "level: informational\n";
  const SigmaRule r = Load(text);
  EXPECT_EQ(r.rule.id, "sigma-4db60cc0");
  EXPECT_EQ(r.rule.title, "Some Thing Happened");
  EXPECT_EQ(r.rule.severity, Severity::kInfo);
  EXPECT_EQ(r.rule.references, std::vector<std::string>{"https://example.com/x"});
  EXPECT_EQ(r.mitre_attack, (std::vector<std::string>{"T1562.008", "T1078"}));
  EXPECT_EQ(r.tags, std::vector<std::string>{"attack.defense-evasion"});
  EXPECT_EQ(r.rule.description,
            "What it is.\n\nFalse positives (from the Sigma rule): Admins; Tests.\n\n"
            "Sigma rule 4DB60CC0-36FB-42B7-9B58-A5B53019FB74 by A. Author.");
  EXPECT_EQ(r.rule.matcher->language, match::Language::kSigma);
  EXPECT_EQ(r.rule.matcher->text, "detection:\n    sel:\n        eventName: X\n    condition: sel");
  EXPECT_EQ(SigmaRuleId("", "Console Login: Failed!"), "sigma-console-login-failed");
}

TEST(SigmaRuleFiles, NestedFormOverridesAndRoundTripsThroughImport) {
  const std::string plain = Rule("    sel:\n        eventName: X\n    condition: sel\n");
  const SigmaRule r = Load(plain);
  const std::string imported = RenderImportedRule(r, "t.yml");
  const SigmaRule again = Load(imported);
  EXPECT_EQ(again.rule.id, r.rule.id);
  EXPECT_EQ(again.rule.severity, Severity::kHigh);
  EXPECT_EQ(again.rule.description, r.rule.description);
  EXPECT_TRUE(Fires(again, R"({"eventName":"x"})"));
  const SigmaRule edited = Load("id: my-rule\nseverity: critical\nsigma:\n" +
                                std::string("  title: T\n  logsource: {product: aws, service: "
                                            "cloudtrail}\n  detection:\n    s: {eventName: X}\n"
                                            "    condition: s\n"));
  EXPECT_EQ(edited.rule.id, "my-rule");
  EXPECT_EQ(edited.rule.severity, Severity::kCritical);
  // Through the ordinary loader, as with --rules.
  auto loaded = LoadRulesFromText(plain, "t.yml", "");
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].id, "sigma-0123abcd");
}

// Errors, with positions: line 7 is the first line under `detection:`.
TEST(SigmaErrors, Windash) {
  const std::string e = Errors(Rule("    sel:\n        cmd|windash: '-x'\n    condition: sel\n"));
  EXPECT_NE(e.find("t.yml:8:13: error: modifier `windash` is not meaningful for CloudTrail"),
            std::string::npos)
      << e;
}

TEST(SigmaErrors, UnknownModifier) {
  const std::string e = Errors(Rule("    sel:\n        a|contians: x\n    condition: sel\n"));
  EXPECT_NE(e.find("t.yml:8:11: error: unknown modifier `contians`"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean `contains`?"), std::string::npos) << e;
}

TEST(SigmaErrors, UnknownLogsource) {
  const std::string e = Errors(
      "title: T\nlogsource:\n    product: windows\n    category: process_creation\n"
      "detection:\n    sel:\n        a: b\n    condition: sel\n");
  EXPECT_NE(e.find("t.yml:2:1: error: logsource {product: windows, category: process_creation} "
                   "is not supported"),
            std::string::npos)
      << e;
}

TEST(SigmaErrors, ConditionNamesMissingSelection) {
  const std::string e =
      Errors(Rule("    selection:\n        a: b\n    condition: selection and not filtr\n"));
  // `condition: ` starts at column 5; its value at 16; `filtr` is 18 bytes further.
  EXPECT_NE(e.find("t.yml:9:34: error: condition names `filtr`, which is not a search "
                   "identifier"),
            std::string::npos)
      << e;
  const std::string of =
      Errors(Rule("    selection:\n        a: b\n    condition: 1 of filter*\n"));
  EXPECT_NE(of.find("t.yml:9:21: error: `1 of filter*` names no search identifier"),
            std::string::npos)
      << of;
}

TEST(SigmaErrors, ConditionSyntaxAndUnsupportedConstructs) {
  EXPECT_NE(Errors(Rule("    s:\n        a: b\n    condition: (s\n")).find("missing `)`"),
            std::string::npos);
  EXPECT_NE(Errors(Rule("    s:\n        a: b\n    condition: s | count() > 5\n"))
                .find("t.yml:9:18: error: aggregations"),
            std::string::npos);
  EXPECT_NE(Errors(Rule("    s:\n        - TruffleHog\n    condition: s\n"))
                .find("t.yml:8:11: error: search identifier `s`: keyword searches"),
            std::string::npos);
  EXPECT_NE(Errors(Rule("    s:\n        a|base64: x\n    condition: s\n"))
                .find("t.yml:8:11: error: modifier `base64` is not supported"),
            std::string::npos);
  EXPECT_NE(Errors(Rule("    s:\n        a|cidr: 10.0.0.0/33\n    condition: s\n"))
                .find("t.yml:8:17: error: `10.0.0.0/33` is not a CIDR block"),
            std::string::npos);
  EXPECT_NE(Errors(Rule("    s:\n        a|re: '(x'\n    condition: s\n"))
                .find("t.yml:8:15: error: invalid regular expression"),
            std::string::npos);
  // An error in a filter the condition never uses is still reported.
  EXPECT_NE(Errors(Rule("    s:\n        a: b\n    unused:\n        a|windash: x\n"
                        "    condition: s\n"))
                .find("t.yml:10:11: error: modifier `windash`"),
            std::string::npos);
}

}  // namespace
}  // namespace tw::rules::sigma
