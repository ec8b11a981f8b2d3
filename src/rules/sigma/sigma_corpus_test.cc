// The 57 SigmaHQ AWS CloudTrail rules (tests/data/sigma/aws-cloudtrail, DRL 1.1): each loads,
// fires on an event built from its own detection, and does not fire when a filter is tripped
// too. Then the Sigma rules that share a theme with a built-in rule are compared on the
// labelled peer cases (tests/data/corpus/labels); the expected disagreements are listed in
// tests/data/sigma/agreement.tsv and explained in docs/sigma.md.
//
// The events are built from the Sigma text with the Sigma specification's semantics, not from
// the compiled IR: for each search identifier the condition uses positively, its first
// alternative's fields get a value that satisfies the field's modifiers (contains: the value
// with text around it; startswith: text after it; endswith: text before it; a wildcard `*`
// becomes nothing and `?` one letter; null: the field is left out; fieldref: both fields get
// the same value). A filter event adds the first alternative of one negated identifier.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/strings.h"
#include "rules/builtin.h"
#include "rules/inline_test.h"
#include "rules/sigma/sigma_rule.h"
#include "rules/yaml_adapter.h"

namespace tw::rules::sigma {
namespace {

const std::string kDir = TW_TEST_DATA "/sigma/aws-cloudtrail";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> RuleFiles() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() == ".yml") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A JSON object under construction: a literal (JSON text) or members.
struct Json {
  std::string literal;
  std::map<std::string, Json> members;

  void Set(const std::string& dotted, std::string json_literal) {
    Json* cur = this;
    size_t start = 0;
    for (size_t i = 0; i <= dotted.size(); ++i) {
      if (i == dotted.size() || dotted[i] == '.') {
        cur->literal.clear();
        cur = &cur->members[dotted.substr(start, i - start)];
        start = i + 1;
      }
    }
    cur->members.clear();
    cur->literal = std::move(json_literal);
  }
  void Remove(const std::string& dotted) {
    Json* cur = this;
    size_t start = 0;
    for (size_t i = 0; i < dotted.size(); ++i) {
      if (dotted[i] == '.') {
        auto it = cur->members.find(dotted.substr(start, i - start));
        if (it == cur->members.end()) return;
        cur = &it->second;
        start = i + 1;
      }
    }
    cur->members.erase(dotted.substr(start));
  }
  std::string Dump() const {
    if (!literal.empty()) return literal;
    std::string out = "{";
    bool first = true;
    for (const auto& [k, v] : members) {
      if (!first) out += ',';
      first = false;
      out += '"';
      AppendJsonEscaped(out, k);
      out += "\":" + v.Dump();
    }
    return out + "}";
  }
};

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  return out + "\"";
}

// A string the Sigma pattern `v` matches: `*` dropped, `?` -> "q", escapes resolved.
std::string Instance(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size() &&
        (v[i + 1] == '*' || v[i + 1] == '?' || v[i + 1] == '\\')) {
      out += v[++i];
    } else if (v[i] == '*') {
    } else if (v[i] == '?') {
      out += 'q';
    } else {
      out += v[i];
    }
  }
  return out;
}

// Strings the `re` values of the corpus match, worked by hand from each expression.
const std::map<std::string, std::string>& RegexExamples() {
  static const std::map<std::string, std::string> k = {
      {".+:assumed-role/aws:.+",
       "arn:aws:sts::123456789012:assumed-role/aws:ec2-instance/i-0123456789abcdef0"},
  };
  return k;
}

// Sets the fields of one search identifier's first alternative in `event`.
void Apply(const YamlNode& search, Json& event) {
  const YamlNode& map = search.kind == YamlKind::kSequence ? search.items.at(0) : search;
  ASSERT_EQ(map.kind, YamlKind::kMapping);
  for (const auto& [key, value] : map.members) {
    std::string field = key.scalar;
    std::set<std::string> mods;
    if (size_t bar = field.find('|'); bar != std::string::npos) {
      std::string rest = field.substr(bar + 1);
      field.resize(bar);
      std::stringstream ss(rest);
      for (std::string m; std::getline(ss, m, '|');) mods.insert(m);
    }
    std::vector<const YamlNode*> values;
    if (value.kind == YamlKind::kSequence) {
      for (const auto& item : value.items) values.push_back(&item);
    } else {
      values.push_back(&value);
    }
    const YamlNode& first = *values[0];
    if (first.kind == YamlKind::kNull || (first.IsPlainScalar() && first.scalar == "null")) {
      event.Remove(field);
      continue;
    }
    if (mods.count("fieldref")) {
      event.Set(first.scalar, JsonString("same-value"));
      event.Set(field, JsonString("same-value"));
      continue;
    }
    if (mods.count("re")) {
      auto it = RegexExamples().find(first.scalar);
      ASSERT_NE(it, RegexExamples().end()) << "no example for re " << first.scalar;
      event.Set(field, JsonString(it->second));
      continue;
    }
    if (!mods.count("contains") && !mods.count("startswith") && !mods.count("endswith") &&
        first.IsPlainScalar() &&
        (first.scalar == "true" || first.scalar == "false" || IsNumberText(first.scalar))) {
      event.Set(field, first.scalar);
      continue;
    }
    std::string text;
    const size_t n = mods.count("all") ? values.size() : 1;
    for (size_t i = 0; i < n; ++i) {
      std::string one = Instance(values[i]->scalar);
      if (mods.count("contains")) one = "Pre-" + one + "-post";
      if (mods.count("startswith")) one += "-tail";
      if (mods.count("endswith")) one = "head-" + one;
      text += one;
    }
    event.Set(field, JsonString(text));
  }
}

// Identifier references in `condition`, split by polarity: a name (or `1 of` / `all of`
// pattern) right after `not` is negative.
void Polarity(const std::string& condition, const YamlNode& detection,
              std::vector<std::string>& positive, std::vector<std::string>& negative) {
  std::stringstream ss(condition);
  std::vector<std::string> words;
  for (std::string w; ss >> w;) words.push_back(w);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "and" || w == "or" || w == "not" || w == "of" || w == "1" || w == "all") continue;
    const bool after_of = i >= 2 && words[i - 1] == "of";
    const size_t before = after_of ? i - 2 : i;
    const bool negated = before >= 1 && words[before - 1] == "not";
    for (const auto& [k, v] : detection.members) {
      if (k.scalar == "condition") continue;
      const bool hit = w == "them" ? true : match::WildcardMatch(w, k.scalar);
      if (hit) (negated ? negative : positive).push_back(k.scalar);
    }
  }
}

const YamlNode& Get(const YamlNode& map, std::string_view key) {
  for (const auto& [k, v] : map.members) {
    if (k.scalar == key) return v;
  }
  static const YamlNode none;
  return none;
}

bool Fires(const Rule& rule, const std::string& event) {
  Result<bool> m = MatchEventJson(rule, event);
  EXPECT_TRUE(m.has_value()) << m.error().message;
  return m.value_or(false);
}

TEST(SigmaCorpus, All57LoadAndFireOnTheirOwnDetection) {
  const std::vector<std::string> files = RuleFiles();
  ASSERT_EQ(files.size(), 57u);
  size_t filters_checked = 0;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const std::string text = ReadAll(file);
    SigmaLoadResult loaded = LoadSigmaRules(text, file);
    ASSERT_TRUE(loaded.diagnostics.empty()) << FormatDiagnostics(loaded.diagnostics);
    ASSERT_EQ(loaded.rules.size(), 1u);
    const SigmaRule& rule = loaded.rules[0];
    EXPECT_EQ(rule.rule.matcher->language, match::Language::kSigma);

    auto docs = ParseYaml(text);
    ASSERT_TRUE(docs.has_value());
    const YamlNode& detection = Get((*docs)[0], "detection");
    const std::string condition = Get(detection, "condition").scalar;
    std::vector<std::string> positive, negative;
    Polarity(condition, detection, positive, negative);
    ASSERT_FALSE(positive.empty()) << condition;
    Json event;
    for (const std::string& name : positive) Apply(Get(detection, name), event);
    const std::string fires = event.Dump();
    EXPECT_TRUE(Fires(rule.rule, fires)) << fires;
    for (const std::string& name : negative) {
      Json tripped = event;
      Apply(Get(detection, name), tripped);
      EXPECT_FALSE(Fires(rule.rule, tripped.Dump())) << name << ": " << tripped.Dump();
      ++filters_checked;
    }
  }
  // 7 rules negate search identifiers: aws_ec2_vm_export_failure three (filter1..3), the
  // others one each (imds_malicious_usage's has three alternatives; the first is used).
  EXPECT_EQ(filters_checked, 9u);
}

// The labelled peer cases, one event per line.
struct LabelledCase {
  std::string name;  // "<file>:<line>"
  std::string event;
};

std::vector<LabelledCase> LabelledCases() {
  std::vector<LabelledCase> out;
  const std::string dir = TW_TEST_DATA "/corpus/labels";
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".ndjson") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  simdjson::dom::parser parser;
  for (const std::string& file : files) {
    std::ifstream in(file);
    size_t line_no = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      simdjson::dom::element root;
      if (parser.parse(line).get(root) != simdjson::SUCCESS) continue;
      simdjson::dom::element event;
      if (root["event"].get(event) != simdjson::SUCCESS) continue;
      out.push_back(
          {std::filesystem::path(file).filename().string() + ":" + std::to_string(line_no),
           simdjson::minify(event)});
    }
  }
  return out;
}

// tests/data/sigma/agreement.tsv: `pair <sigma file> <builtin id>` lines name the pairs, and
// `differs <sigma file> <case> <which fires: sigma|builtin>` lines the expected disagreements.
TEST(SigmaCorpus, AgreesWithBuiltinRulesOfTheSameThemeOnLabelledCases) {
  auto builtin = LoadBuiltinRules(InlineTests::kSkip);
  ASSERT_TRUE(builtin.has_value()) << builtin.error().message;
  std::map<std::string, const Rule*> by_id;
  for (const Rule& r : *builtin) by_id[r.id] = &r;
  std::ifstream in(TW_TEST_DATA "/sigma/agreement.tsv");
  ASSERT_TRUE(in.good());
  std::vector<std::pair<std::string, std::string>> pairs;
  std::set<std::string> expected;  // "file case who"
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream ss(line);
    std::string kind, a, b, c;
    ss >> kind >> a >> b >> c;
    if (kind == "pair") pairs.emplace_back(a, b);
    if (kind == "differs") expected.insert(a + " " + b + " " + c);
  }
  ASSERT_FALSE(pairs.empty());
  const std::vector<LabelledCase> cases = LabelledCases();
  ASSERT_GT(cases.size(), 500u);
  std::set<std::string> actual;
  for (const auto& [file, builtin_id] : pairs) {
    SigmaLoadResult loaded = LoadSigmaRules(ReadAll(kDir + "/" + file), file);
    ASSERT_EQ(loaded.rules.size(), 1u) << file;
    ASSERT_TRUE(by_id.count(builtin_id)) << builtin_id;
    size_t both = 0, sigma_only = 0, builtin_only = 0;
    for (const LabelledCase& c : cases) {
      const bool s = Fires(loaded.rules[0].rule, c.event);
      const bool b = Fires(*by_id[builtin_id], c.event);
      if (s && b) ++both;
      sigma_only += s && !b;
      builtin_only += b && !s;
      if (s != b) actual.insert(file + " " + c.name + " " + (s ? "sigma" : "builtin"));
    }
    std::printf("agreement %s / %s: both fire %zu, only sigma %zu, only built-in %zu\n",
                file.c_str(), builtin_id.c_str(), both, sigma_only, builtin_only);
    EXPECT_GT(both, 0u) << file << " and " << builtin_id << " agree on no firing case";
  }
  std::string unexpected, missing;
  for (const auto& a : actual) {
    if (!expected.count(a)) unexpected += "differs " + a + "\n";
  }
  for (const auto& e : expected) {
    if (!actual.count(e)) missing += "differs " + e + "\n";
  }
  EXPECT_TRUE(unexpected.empty()) << "disagreements not in agreement.tsv:\n" << unexpected;
  EXPECT_TRUE(missing.empty()) << "listed disagreements that no longer occur:\n" << missing;
}

}  // namespace
}  // namespace tw::rules::sigma
