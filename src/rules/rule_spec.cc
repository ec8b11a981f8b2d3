#include "rules/rule_spec.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "common/strings.h"
#include "match/dom_parser.h"
#include "match/json_escapes.h"
#include "rules/attack.h"
#include "rules/policy_yaml.h"

namespace tw::rules {
namespace {

constexpr std::string_view kRuleKeys[] = {"id", "title", "severity", "description", "references",
                                          "filter_pattern", "event_pattern", "tests",
                                          // Processing policy (policy_yaml.h).
                                          "enabled", "schedule", "suppress", "dedupe", "threshold",
                                          // Catalogue metadata (attack.h).
                                          "tags", "mitre_attack"};
constexpr std::string_view kTestKeys[] = {"name", "expect", "event", "event_file"};

template <size_t N>
std::vector<std::string_view> ToVector(const std::string_view (&keys)[N]) {
  return std::vector<std::string_view>(keys, keys + N);
}

std::string JoinQuoted(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += fmt::format("`{}`", n);
  }
  return out;
}

// ---- Scalars: YAML 1.2 core schema, for YamlToJson and `expect` --------------------------------

std::optional<bool> PlainBool(const YamlNode& node) {
  if (!node.IsPlainScalar()) return std::nullopt;
  const std::string& s = node.scalar;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The JSON number for a plain scalar the core schema reads as an int or float; nullopt for
// anything else (a string). `non_finite` is set for .inf/.nan, which JSON cannot hold.
std::optional<std::string> PlainNumber(std::string_view s, bool& non_finite) {
  non_finite = false;
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF" ||
      ((s == ".nan" || s == ".NaN" || s == ".NAN"))) {
    non_finite = true;
    return std::nullopt;
  }
  // 0o17 and 0x1F (unsigned in the core schema).
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    const bool hex = s[1] == 'x';
    const std::string_view digits = s.substr(2);
    if (!AllOf(digits, hex ? IsHex : IsOctal) || digits.size() > 15) return std::nullopt;
    unsigned long long v = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 8);
    return std::to_string(v);
  }
  // [0-9]+ ( . [0-9]* )? ( [eE] [-+]? [0-9]+ )?   or   . [0-9]+ ( exponent )?
  size_t i = 0;
  while (i < body.size() && IsDigit(body[i])) ++i;
  std::string_view int_part = body.substr(0, i);
  std::string_view frac_part;
  if (i < body.size() && body[i] == '.') {
    const size_t start = ++i;
    while (i < body.size() && IsDigit(body[i])) ++i;
    frac_part = body.substr(start, i - start);
  }
  if (int_part.empty() && frac_part.empty()) return std::nullopt;
  std::string_view exponent;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    size_t j = i + 1;
    if (j < body.size() && (body[j] == '-' || body[j] == '+')) ++j;
    if (!AllOf(body.substr(j), IsDigit)) return std::nullopt;
    exponent = body.substr(i + 1);
    i = body.size();
  }
  if (i != body.size()) return std::nullopt;
  // Normalise to JSON: no '+', no leading zeros, digits on both sides of a '.'.
  std::string out = negative ? "-" : "";
  while (int_part.size() > 1 && int_part[0] == '0') int_part.remove_prefix(1);
  out += int_part.empty() ? "0" : std::string(int_part);
  if (!frac_part.empty()) {
    out += '.';
    out += frac_part;
  }
  if (!exponent.empty()) {
    out += 'e';
    out += exponent;
  }
  return out;
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  AppendJsonEscaped(out, s);
  out += '"';
}

// ---- Byte columns of single-line scalars -------------------------------------------------------

// Decodes the double-quoted escape at text[i] == '\\' (YAML 1.2 section 5.7) into `out`;
// returns the number of source bytes consumed, 0 when malformed.
size_t DecodeEscape(std::string_view text, size_t i, std::string& out) {
  if (i + 1 >= text.size()) return 0;
  const char c = text[i + 1];
  // Escapes that stand for one code point.
  constexpr std::string_view kFrom = "0abt\tnvfre \"/\\N_LP";
  constexpr uint32_t kTo[] = {0,    '\a', '\b', '\t', '\t', '\n', '\v', '\f',   '\r',
                              0x1B, ' ',  '"',  '/',  '\\', 0x85, 0xA0, 0x2028, 0x2029};
  static_assert(std::size(kTo) == kFrom.size());
  if (const size_t k = kFrom.find(c); k != std::string_view::npos) {
    AppendUtf8(out, kTo[k]);
    return 2;
  }
  const size_t hex_digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
  if (hex_digits == 0) return 0;
  const std::string_view digits = text.substr(i + 2, hex_digits);
  if (digits.size() != hex_digits || !AllOf(digits, IsHex)) return 0;
  uint32_t cp = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), cp, 16);
  AppendUtf8(out, cp);
  return 2 + hex_digits;
}

// ---- The file walker ---------------------------------------------------------------------------

class FileParser {
 public:
  FileParser(std::string_view text, std::string_view name, const std::string& base_dir)
      : text_(text), name_(name), base_dir_(base_dir) {}

  ParsedRuleFile Run(const tl::expected<std::vector<YamlNode>, YamlSyntaxError>& documents) {
    if (!documents) {
      const YamlSyntaxError& e = documents.error();
      Diagnostic d;
      d.where = {std::string(name_), e.line, e.column};
      d.message = "invalid YAML: " + e.message;
      d.excerpt = std::string(Line(e.line));
      d.caret_column = e.column;
      d.hint =
          "check the indentation and quoting around here (a pattern that starts with `{` "
          "or contains `: ` must be quoted)";
      out_.diagnostics.push_back(std::move(d));
      return std::move(out_);
    }
    for (const YamlNode& doc : *documents) {
      switch (doc.kind) {
        case YamlKind::kNull:
          break;  // an empty document (only comments)
        case YamlKind::kMapping:
          ParseRule(doc);
          break;
        case YamlKind::kSequence:
          for (const YamlNode& item : doc.items) {
            if (item.kind == YamlKind::kMapping) {
              ParseRule(item);
            } else {
              Error(item, doc, fmt::format("a rule must be a mapping, not {}", YamlKindName(item)),
                    "each list item is a rule: `- id: ...` followed by its other keys");
            }
          }
          break;
        case YamlKind::kScalar:
          Error(doc, doc, "a rule file holds a rule (a mapping) or a list of rules",
                "start the file with `id: ...`, or `- id: ...` for a list");
          break;
      }
    }
    return std::move(out_);
  }

 private:
  SourceLocation Where(const YamlNode& node) const {
    return {std::string(name_), node.line, node.column};
  }

  // Reports at `node`, or at `fallback` when `node` has no position (an empty value).
  void Error(const YamlNode& node, const YamlNode& fallback, std::string message,
             std::string hint = {}) {
    const YamlNode& at = node.line > 0 ? node : fallback;
    Diagnostic d;
    d.where = Where(at);
    d.message = std::move(message);
    d.excerpt = std::string(Line(at.line));
    d.caret_column = at.column;
    d.hint = std::move(hint);
    out_.diagnostics.push_back(std::move(d));
  }

  // Checks a mapping's keys against `allowed`; reports unknown, non-scalar and duplicate keys.
  // Returns the members by key name.
  std::map<std::string, const std::pair<YamlNode, YamlNode>*> Members(
      const YamlNode& mapping, const std::vector<std::string_view>& allowed, const char* what) {
    const std::string key_of = fmt::format("a {} key", what);
    const std::string in_what = fmt::format("a {}", what);
    return CollectMembers(
        mapping, allowed, MemberWording{key_of, in_what},
        [this](const YamlNode& node, const YamlNode& fallback, std::string message,
               std::string hint) { Error(node, fallback, std::move(message), std::move(hint)); });
  }

  // A non-empty string value (a scalar of any style).
  std::optional<std::string> Text(const std::pair<YamlNode, YamlNode>& member) {
    const auto& [key, value] = member;
    if (value.kind != YamlKind::kScalar) {
      Error(value, key,
            fmt::format("`{}` must be a string, not {}", key.scalar, YamlKindName(value)),
            value.kind == YamlKind::kMapping
                ? "quote the value: a `{` at the start of a plain YAML value opens a mapping"
                : "");
      return std::nullopt;
    }
    if (TrimWhitespace(value.scalar).empty()) {
      Error(value, key, fmt::format("`{}` is empty", key.scalar));
      return std::nullopt;
    }
    return value.scalar;
  }

  void ParseRule(const YamlNode& mapping) {
    RuleSpec spec;
    spec.where = Where(mapping);
    const auto members = Members(mapping, ToVector(kRuleKeys), "rule");
    auto find = [&](const char* key) -> const std::pair<YamlNode, YamlNode>* {
      auto it = members.find(key);
      return it == members.end() ? nullptr : it->second;
    };
    for (const char* required : {"id", "title", "severity", "description"}) {
      if (find(required) == nullptr) {
        Error(mapping, mapping, fmt::format("rule is missing required key `{}`", required),
              "every rule has `id`, `title`, `severity`, `description` and one of "
              "`filter_pattern` / `event_pattern`");
      }
    }
    if (const auto* m = find("id")) ParseId(*m, spec);
    if (const auto* m = find("title")) spec.title = Text(*m).value_or("");
    if (const auto* m = find("description")) spec.description = Text(*m).value_or("");
    if (const auto* m = find("severity")) ParseSeverityValue(*m, spec);
    if (const auto* m = find("references")) ParseReferences(*m, spec);
    if (const auto* m = find("tags")) ParseTagsAndTechniques(*m, spec);
    if (const auto* m = find("mitre_attack")) ParseTagsAndTechniques(*m, spec);

    const auto* filter = find("filter_pattern");
    const auto* event = find("event_pattern");
    if (filter != nullptr && event != nullptr) {
      const auto* second = filter->first.offset > event->first.offset ? filter : event;
      Error(second->first, mapping, "a rule has `filter_pattern` or `event_pattern`, not both",
            "split it into two rules, one per pattern language");
    } else if (filter == nullptr && event == nullptr) {
      Error(mapping, mapping, "rule is missing a pattern",
            "add `filter_pattern` (a CloudWatch Logs filter pattern) or `event_pattern` (an "
            "EventBridge event pattern)");
    } else if (filter != nullptr) {
      ParseFilterPattern(*filter, spec);
    } else {
      ParseEventPattern(*event, spec);
    }
    if (const auto* m = find("tests")) ParseTests(*m, spec);
    ParsePolicy(members, spec);
    out_.rules.push_back(std::move(spec));
  }

  // The processing policy keys (policy_yaml.h), and their compact JSON for the built-in table.
  void ParsePolicy(const std::map<std::string, const std::pair<YamlNode, YamlNode>*>& members,
                   RuleSpec& spec) {
    YamlChecker checker(text_, name_, out_.diagnostics);
    for (std::string_view key : RulePolicyKeyNames()) {
      auto it = members.find(std::string(key));
      if (it == members.end()) continue;
      if (!ParsePolicyKey(checker, *it->second, spec.policy, spec.policy_keys)) continue;
      std::vector<Diagnostic> ignored;
      spec.policy_json += spec.policy_json.empty() ? "{" : ",";
      AppendJsonString(spec.policy_json, key);
      spec.policy_json += ':';
      spec.policy_json += YamlToJson(it->second->second, text_, name_, ignored);
    }
    if (!spec.policy_json.empty()) spec.policy_json += '}';
  }

  void ParseId(const std::pair<YamlNode, YamlNode>& member, RuleSpec& spec) {
    std::optional<std::string> id = Text(member);
    if (!id) return;
    const std::string& s = *id;
    bool valid = s.size() <= kMaxRuleIdLength && !s.empty() && s[0] != '-';
    for (char c : s) {
      valid = valid && ((c >= 'a' && c <= 'z') || IsDigit(c) || c == '-');
    }
    if (!valid) {
      Error(member.second, member.first, fmt::format("invalid rule id `{}`", s),
            fmt::format("an id is lower-case letters, digits and `-`, starts with a letter or "
                        "digit, and has at most {} characters",
                        kMaxRuleIdLength));
      return;
    }
    const auto [it, inserted] = ids_.emplace(s, member.second.line);
    if (!inserted) {
      Error(member.second, member.first, fmt::format("duplicate rule id `{}`", s),
            fmt::format("the id is already used at {}:{}", name_, it->second));
    }
    spec.id = s;
  }

  void ParseSeverityValue(const std::pair<YamlNode, YamlNode>& member, RuleSpec& spec) {
    std::optional<std::string> name = Text(member);
    if (!name) return;
    if (std::optional<Severity> severity = ParseSeverity(*name)) {
      spec.severity = *severity;
      return;
    }
    const std::string_view suggestion = ClosestMatch(*name, SeverityNames());
    std::string hint = fmt::format("severity is one of {}", JoinQuoted(SeverityNames()));
    if (!suggestion.empty()) hint = fmt::format("did you mean `{}`? {}", suggestion, hint);
    Error(member.second, member.first, fmt::format("unknown severity `{}`", *name), hint);
  }

  void ParseReferences(const std::pair<YamlNode, YamlNode>& member, RuleSpec& spec) {
    const auto& [key, value] = member;
    if (value.kind != YamlKind::kSequence) {
      Error(value, key,
            fmt::format("`references` must be a list of strings, not {}", YamlKindName(value)),
            "write `references: [\"https://...\"]` or one `- ...` item per line");
      return;
    }
    for (const YamlNode& item : value.items) {
      if (item.kind != YamlKind::kScalar || TrimWhitespace(item.scalar).empty()) {
        Error(item, key, "a reference must be a non-empty string");
        continue;
      }
      spec.references.push_back(item.scalar);
    }
  }

  // `tags: [a, b]` (each [a-z0-9-]+) or `mitre_attack: [T1234, T1234.001]` (each in the bundled
  // ATT&CK list, attack.h).
  void ParseTagsAndTechniques(const std::pair<YamlNode, YamlNode>& member, RuleSpec& spec) {
    const auto& [key, value] = member;
    const bool tags = key.scalar == "tags";
    if (value.kind != YamlKind::kSequence) {
      Error(value, key, fmt::format("`{}` must be a list, not {}", key.scalar, YamlKindName(value)),
            tags ? "write `tags: [iam, persistence]`" : "write `mitre_attack: [T1098.001]`");
      return;
    }
    for (const YamlNode& item : value.items) {
      if (item.kind != YamlKind::kScalar) {
        Error(item, key,
              fmt::format("a `{}` item must be a string, not {}", key.scalar, YamlKindName(item)));
        continue;
      }
      if (tags) {
        const bool ok =
            !item.scalar.empty() && std::all_of(item.scalar.begin(), item.scalar.end(), [](char c) {
              return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            });
        if (!ok) {
          Error(item, key, fmt::format("invalid tag `{}`", item.scalar),
                "a tag uses only lower-case letters, digits and `-`");
          continue;
        }
        spec.tags.push_back(item.scalar);
      } else if (std::optional<AttackIdProblem> problem = CheckAttackId(item.scalar)) {
        Error(item, key, std::move(problem->message), std::move(problem->hint));
      } else {
        spec.mitre_attack.push_back(item.scalar);
      }
    }
  }

  void ParseFilterPattern(const std::pair<YamlNode, YamlNode>& member, RuleSpec& spec) {
    spec.language = match::Language::kFilterPattern;
    const auto& [key, value] = member;
    if (value.kind == YamlKind::kMapping || value.kind == YamlKind::kSequence) {
      Error(value, key,
            fmt::format("`filter_pattern` must be a string, not {}", YamlKindName(value)),
            "quote the pattern: a `{` or `[` at the start of a plain YAML value opens a mapping "
            "or list; write filter_pattern: '{ ($.eventName = X) }'");
      return;
    }
    std::optional<std::string> pattern = Text(member);
    if (!pattern) return;
    spec.pattern = std::move(*pattern);
    spec.pattern_where = Where(value);
    spec.pattern_columns = ScalarColumns(value, text_);
    spec.pattern_line = std::string(Line(value.line));
  }

  void ParseEventPattern(const std::pair<YamlNode, YamlNode>& member, RuleSpec& spec) {
    spec.language = match::Language::kEventPattern;
    const auto& [key, value] = member;
    const YamlNode& at = value.line > 0 ? value : key;
    spec.pattern_where = Where(at);
    spec.pattern_line = std::string(Line(at.line));
    if (value.kind == YamlKind::kMapping) {
      const size_t before = out_.diagnostics.size();
      std::string json = YamlToJson(value, text_, name_, out_.diagnostics);
      if (out_.diagnostics.size() == before) spec.pattern = std::move(json);
      return;
    }
    if (value.kind != YamlKind::kScalar) {
      Error(value, key,
            fmt::format("`event_pattern` must be a mapping or a JSON string, not {}",
                        YamlKindName(value)),
            "write the pattern as YAML (`event_pattern:` then `  source: [aws.ec2]`) or as JSON "
            "text in quotes");
      return;
    }
    std::optional<std::string> pattern = Text(member);
    if (!pattern) return;
    spec.pattern = std::string(TrimWhitespace(*pattern));
  }

  void ParseTests(const std::pair<YamlNode, YamlNode>& member, RuleSpec& spec) {
    const auto& [key, value] = member;
    if (value.kind == YamlKind::kNull) return;  // `tests:` with nothing yet
    if (value.kind != YamlKind::kSequence) {
      Error(value, key, fmt::format("`tests` must be a list, not {}", YamlKindName(value)),
            "each test is a list item: `- expect: true` with `event` or `event_file`");
      return;
    }
    for (const YamlNode& item : value.items) {
      if (item.kind != YamlKind::kMapping) {
        Error(item, key, fmt::format("a test must be a mapping, not {}", YamlKindName(item)),
              "write `- name: ...`, `expect: true|false` and `event` or `event_file`");
        continue;
      }
      ParseTest(item, spec);
    }
  }

  void ParseTest(const YamlNode& mapping, RuleSpec& spec) {
    RuleTest test;
    test.where = Where(mapping);
    const auto members = Members(mapping, ToVector(kTestKeys), "test");
    auto find = [&](const char* k) -> const std::pair<YamlNode, YamlNode>* {
      auto it = members.find(k);
      return it == members.end() ? nullptr : it->second;
    };
    bool ok = true;
    if (const auto* m = find("name")) {
      if (m->second.kind == YamlKind::kScalar) {
        test.name = m->second.scalar;
      } else {
        Error(m->second, m->first,
              fmt::format("`name` must be a string, not {}", YamlKindName(m->second)));
        ok = false;
      }
    }
    if (const auto* m = find("expect")) {
      if (std::optional<bool> expect = PlainBool(m->second)) {
        test.expect = *expect;
      } else {
        Error(m->second, m->first, "`expect` must be true or false",
              m->second.IsScalar() && !m->second.IsPlainScalar()
                  ? "write it without quotes"
                  : "true: the rule must match the event; false: it must not");
        ok = false;
      }
    } else {
      Error(mapping, mapping, "test is missing required key `expect`",
            "add `expect: true` (the rule must match) or `expect: false`");
      ok = false;
    }
    const auto* event = find("event");
    const auto* event_file = find("event_file");
    const YamlNode* event_at = nullptr;
    if (event != nullptr && event_file != nullptr) {
      const auto* second = event->first.offset > event_file->first.offset ? event : event_file;
      Error(second->first, mapping, "a test has `event` or `event_file`, not both");
      ok = false;
    } else if (event == nullptr && event_file == nullptr) {
      Error(mapping, mapping, "test is missing its event",
            "add `event` (JSON text or a YAML mapping) or `event_file` (a path relative to the "
            "rule file)");
      ok = false;
    } else if (event != nullptr) {
      event_at = event->second.line > 0 ? &event->second : &event->first;
      if (event->second.kind == YamlKind::kMapping) {
        const size_t before = out_.diagnostics.size();
        test.event_json = YamlToJson(event->second, text_, name_, out_.diagnostics);
        ok = ok && out_.diagnostics.size() == before;
      } else if (std::optional<std::string> json = Text(*event)) {
        test.event_json = std::string(TrimWhitespace(*json));
      } else {
        ok = false;
      }
    } else {
      event_at = event_file->second.line > 0 ? &event_file->second : &event_file->first;
      std::optional<std::string> path = Text(*event_file);
      if (!path) {
        ok = false;
      } else if (base_dir_.empty() && std::filesystem::path(*path).is_relative()) {
        Error(*event_at, mapping, "`event_file` cannot be used here",
              "this rule file has no folder on disk (a built-in rule); inline the event with "
              "`event`");
        ok = false;
      } else {
        const std::filesystem::path full = std::filesystem::path(base_dir_) / *path;
        Result<std::string> content = ReadTextFile(full.string(), kMaxEventFileBytes);
        if (!content) {
          Error(*event_at, mapping,
                fmt::format("cannot read event_file: {}", content.error().message),
                fmt::format("event_file is relative to the rule file's folder ({})",
                            base_dir_.empty() ? "." : base_dir_));
          ok = false;
        } else {
          test.event_json = std::string(TrimWhitespace(*content));
        }
      }
    }
    if (ok && event_at != nullptr) ok = CheckEventJson(test.event_json, *event_at);
    if (ok) spec.tests.push_back(std::move(test));
  }

  bool CheckEventJson(const std::string& json, const YamlNode& at) {
    // Read as scan reads a record (match::DomParser: 1e999 and 30-digit integers are numbers,
    // an unpaired surrogate escape is U+FFFD; docs/json-input.md).
    match::DomParser parser;
    simdjson::dom::element root;
    if (auto error = parser.Parse(json, /*padded=*/false, root); error != simdjson::SUCCESS) {
      std::string why = simdjson::error_message(error);
      if (const match::EscapeCheck e = match::CheckJsonEscapes(json);
          e.kind == match::EscapeCheck::Kind::kInvalid) {
        why = match::DescribeBadEscape(json, e.offset);  // simdjson says only "a string"
      }
      Error(at, at, fmt::format("test event is not valid JSON: {}", why),
            "give the event as JSON text (a `|` block keeps it verbatim) or as a YAML mapping");
      return false;
    }
    if (!root.is_object()) {
      Error(at, at, "test event must be a JSON object",
            "give one CloudTrail record or one EventBridge event");
      return false;
    }
    return true;
  }

  // Line `line` (1-based) of the file. Rules are parsed one after another, so the search goes on
  // from the last line asked for: loading a file of n rules stays linear, not quadratic.
  std::string_view Line(int line) {
    if (line < line_no_) {
      line_no_ = 1;
      line_start_ = 0;
    }
    while (line_no_ < line) {
      const size_t nl = text_.find('\n', line_start_);
      if (nl == std::string_view::npos) return {};
      line_start_ = nl + 1;
      ++line_no_;
    }
    return LineOf(text_.substr(line_start_), 1);
  }

  std::string_view text_;
  int line_no_ = 1;  // Line(): the line that starts at line_start_
  size_t line_start_ = 0;
  std::string_view name_;
  const std::string& base_dir_;
  std::map<std::string, int> ids_;  // id -> line, for duplicates within the file
  ParsedRuleFile out_;
};

void ToJson(const YamlNode& node, const YamlNode& parent, std::string_view text,
            std::string_view name, std::vector<Diagnostic>& diagnostics, std::string& out) {
  auto report = [&](const YamlNode& at, std::string message, std::string hint) {
    const YamlNode& where = at.line > 0 ? at : parent;
    Diagnostic d;
    d.where = {std::string(name), where.line, where.column};
    d.message = std::move(message);
    d.excerpt = std::string(LineOf(text, where.line));
    d.caret_column = where.column;
    d.hint = std::move(hint);
    diagnostics.push_back(std::move(d));
  };
  switch (node.kind) {
    case YamlKind::kNull:
      out += "null";
      return;
    case YamlKind::kScalar: {
      if (node.style != ScalarStyle::kPlain) {
        AppendJsonString(out, node.scalar);
        return;
      }
      if (std::optional<bool> b = PlainBool(node)) {
        out += *b ? "true" : "false";
        return;
      }
      bool non_finite = false;
      if (std::optional<std::string> number = PlainNumber(node.scalar, non_finite)) {
        out += *number;
        return;
      }
      if (non_finite) {
        report(node, fmt::format("`{}` is not a JSON number", node.scalar),
               "quote it to match the string");
      }
      AppendJsonString(out, node.scalar);
      return;
    }
    case YamlKind::kSequence: {
      out += '[';
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out += ',';
        ToJson(node.items[i], node, text, name, diagnostics, out);
      }
      out += ']';
      return;
    }
    case YamlKind::kMapping: {
      out += '{';
      std::map<std::string, int> seen;
      bool first = true;
      for (const auto& [key, value] : node.members) {
        if (!key.IsScalar()) {
          report(key, "a JSON object key must be a string", "");
          continue;
        }
        if (const auto [it, inserted] = seen.emplace(key.scalar, key.line); !inserted) {
          report(key, fmt::format("duplicate key `{}`", key.scalar),
                 fmt::format("`{}` is already given at line {}", key.scalar, it->second));
          continue;
        }
        if (!first) out += ',';
        first = false;
        AppendJsonString(out, key.scalar);
        out += ':';
        ToJson(value, key, text, name, diagnostics, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

ParsedRuleFile ParseRuleFile(std::string_view text, std::string_view display_name,
                             const std::string& base_dir) {
  return FileParser(text, display_name, base_dir).Run(ParseYaml(text));
}

ParsedRuleFile ParseRuleDocuments(
    std::string_view text, const tl::expected<std::vector<YamlNode>, YamlSyntaxError>& documents,
    std::string_view display_name, const std::string& base_dir) {
  return FileParser(text, display_name, base_dir).Run(documents);
}

std::string YamlToJson(const YamlNode& node, std::string_view text, std::string_view display_name,
                       std::vector<Diagnostic>& diagnostics) {
  std::string out;
  ToJson(node, node, text, display_name, diagnostics, out);
  return out;
}

std::vector<int> ScalarColumns(const YamlNode& node, std::string_view text) {
  if (node.kind != YamlKind::kScalar || node.line <= 0 || node.offset >= text.size()) return {};
  const size_t start = node.offset;
  auto column_at = [&](size_t pos) { return node.column + static_cast<int>(pos - start); };
  std::vector<int> columns;
  std::string decoded;
  size_t i = start;
  switch (node.style) {
    case ScalarStyle::kPlain: {
      const std::string_view raw = text.substr(start, node.scalar.size());
      if (raw != node.scalar || raw.find('\n') != std::string_view::npos) return {};
      for (size_t k = 0; k <= raw.size(); ++k) columns.push_back(column_at(start + k));
      return columns;
    }
    case ScalarStyle::kSingleQuoted:
      for (++i; i < text.size(); ++i) {
        if (text[i] == '\n') return {};
        if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            columns.push_back(column_at(i));
            decoded += '\'';
            ++i;
            continue;
          }
          break;
        }
        columns.push_back(column_at(i));
        decoded += text[i];
      }
      break;
    case ScalarStyle::kDoubleQuoted:
      for (++i; i < text.size();) {
        if (text[i] == '\n') return {};
        if (text[i] == '"') break;
        if (text[i] == '\\') {
          const size_t before = decoded.size();
          const size_t used = DecodeEscape(text, i, decoded);
          if (used == 0) return {};
          columns.insert(columns.end(), decoded.size() - before, column_at(i));
          i += used;
          continue;
        }
        columns.push_back(column_at(i));
        decoded += text[i];
        ++i;
      }
      break;
    default:
      return {};
  }
  if (i >= text.size() || decoded != node.scalar) return {};
  columns.push_back(column_at(i));  // the closing quote
  return columns;
}

Result<std::string> ReadTextFile(const std::string& path, size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return Fail(ErrorCode::kNotFound, fmt::format("{}: no such file", path));
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Fail(ErrorCode::kIo, fmt::format("{}: is a directory", path));
  }
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return Fail(ErrorCode::kIo, fmt::format("{}: {}", path, std::strerror(errno)));
  std::string content;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    content.append(buffer, n);
    if (content.size() > max_bytes) {
      return Fail(ErrorCode::kResourceExhausted,
                  fmt::format("{}: larger than {} bytes", path, max_bytes));
    }
  }
  if (std::ferror(file.get())) {
    return Fail(ErrorCode::kIo, fmt::format("{}: read error", path));
  }
  return content;
}

std::string_view TrimWhitespace(std::string_view s) {
  const char* kSpace = " \t\r\n\f\v";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace tw::rules
