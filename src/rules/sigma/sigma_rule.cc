#include "rules/sigma/sigma_rule.h"

#include <fmt/format.h>

#include <optional>

#include "common/strings.h"
#include "rules/rule_spec.h"
#include "rules/sigma/sigma_compiler.h"
#include "rules/yaml_adapter.h"

namespace tw::rules::sigma {
namespace {

struct Loader {
  std::string_view text;
  std::string_view file;
  std::vector<Diagnostic>& diagnostics;

  void Error(int line, int column, std::string message, std::string hint = {}) {
    Diagnostic d;
    d.where = SourceLocation{std::string(file), line, column};
    d.message = std::move(message);
    if (line > 0) {
      d.excerpt = std::string(LineOf(text, line));
      d.caret_column = column;
    }
    d.hint = std::move(hint);
    diagnostics.push_back(std::move(d));
  }
};

const std::pair<YamlNode, YamlNode>* Member(const YamlNode& map, std::string_view key) {
  for (const auto& m : map.members) {
    if (m.first.IsScalar() && m.first.scalar == key) return &m;
  }
  return nullptr;
}

// The byte offset of the start of the line holding `offset`.
size_t LineStart(std::string_view text, size_t offset) {
  const size_t nl = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  return offset == 0 || nl == std::string_view::npos ? 0 : nl + 1;
}

// The text of member `i` of `map`: from the start of its key's line to the start of the next
// member's key line (or `end`), without trailing blank lines, dedented by the key's column.
std::string MemberText(std::string_view text, const YamlNode& map, size_t i, size_t end) {
  const YamlNode& key = map.members[i].first;
  const size_t begin = LineStart(text, key.offset);
  if (i + 1 < map.members.size()) end = LineStart(text, map.members[i + 1].first.offset);
  std::string_view block = text.substr(begin, end > begin ? end - begin : 0);
  while (!block.empty() && (block.back() == '\n' || block.back() == ' ' || block.back() == '\r')) {
    block.remove_suffix(1);
  }
  const size_t indent = key.column > 0 ? static_cast<size_t>(key.column - 1) : 0;
  std::string out;
  size_t pos = 0;
  while (pos <= block.size()) {
    size_t nl = block.find('\n', pos);
    if (nl == std::string_view::npos) nl = block.size();
    std::string_view line = block.substr(pos, nl - pos);
    size_t drop = 0;
    while (drop < indent && drop < line.size() && line[drop] == ' ') ++drop;
    out.append(line.substr(drop));
    if (nl < block.size()) out += '\n';
    pos = nl + 1;
  }
  return out;
}

// `s` with up to `n` leading spaces removed from every line.
std::string Dedent(std::string_view s, size_t n) {
  std::string out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = s.substr(pos, nl - pos);
    size_t drop = 0;
    while (drop < n && drop < line.size() && line[drop] == ' ') ++drop;
    out.append(line.substr(drop));
    if (nl < s.size()) out += '\n';
    pos = nl + 1;
  }
  return out;
}

std::string ScalarOr(const YamlNode& map, std::string_view key) {
  const auto* m = Member(map, key);
  return m != nullptr && m->second.IsScalar() ? m->second.scalar : std::string();
}

// A list of strings (or one string) under `key`; reports other shapes.
std::vector<std::string> StringList(const YamlNode& map, std::string_view key, Loader& loader) {
  std::vector<std::string> out;
  const auto* m = Member(map, key);
  if (m == nullptr || m->second.kind == YamlKind::kNull) return out;
  if (m->second.IsScalar()) {
    out.push_back(m->second.scalar);
    return out;
  }
  if (m->second.kind == YamlKind::kSequence) {
    for (const YamlNode& item : m->second.items) {
      if (item.IsScalar()) {
        out.push_back(item.scalar);
      } else if (item.kind != YamlKind::kNull) {
        loader.Error(item.line, item.column, fmt::format("`{}` must be a list of strings", key));
      }
    }
    return out;
  }
  loader.Error(m->first.line, m->first.column, fmt::format("`{}` must be a list of strings", key));
  return out;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  return out + "\"";
}

// The Sigma document `doc` (a plain file, or the `sigma:` value of the nested form) compiled.
std::optional<SigmaRule> LoadDocument(const YamlNode& doc, const YamlNode& at, Loader& loader,
                                      size_t doc_end) {
  const size_t before = loader.diagnostics.size();
  if (doc.kind != YamlKind::kMapping) {
    loader.Error(at.line, at.column, "a Sigma rule must be a mapping");
    return std::nullopt;
  }
  SigmaRule out;
  const auto* title = Member(doc, "title");
  if (title == nullptr || !title->second.IsScalar() || title->second.scalar.empty()) {
    loader.Error(doc.line, doc.column, "the Sigma rule has no `title`");
  } else {
    out.rule.title = title->second.scalar;
  }
  out.sigma_id = ScalarOr(doc, "id");
  out.author = ScalarOr(doc, "author");

  // logsource: product aws, service cloudtrail, nothing else that narrows it.
  const auto* logsource = Member(doc, "logsource");
  if (logsource == nullptr || logsource->second.kind != YamlKind::kMapping) {
    loader.Error(logsource ? logsource->first.line : doc.line,
                 logsource ? logsource->first.column : doc.column,
                 "the Sigma rule has no `logsource` mapping",
                 "trailwatch compiles `logsource: {product: aws, service: cloudtrail}`");
  } else {
    std::string described;
    bool supported = true;
    for (const auto& [k, v] : logsource->second.members) {
      if (!k.IsScalar() || k.scalar == "definition") continue;
      const std::string value = v.IsScalar() ? v.scalar : std::string("?");
      if (!described.empty()) described += ", ";
      described += k.scalar + ": " + value;
      if (k.scalar == "product") {
        supported = supported && value == "aws";
      } else if (k.scalar == "service") {
        supported = supported && value == "cloudtrail";
      } else {
        supported = false;
      }
    }
    if (ScalarOr(logsource->second, "product") != "aws" ||
        ScalarOr(logsource->second, "service") != "cloudtrail") {
      supported = false;
    }
    if (!supported) {
      loader.Error(logsource->first.line, logsource->first.column,
                   fmt::format("logsource {{{}}} is not supported", described),
                   "trailwatch compiles Sigma rules for `logsource: {product: aws, service: "
                   "cloudtrail}` only");
    }
  }

  const auto* level = Member(doc, "level");
  out.rule.severity = Severity::kMedium;
  if (level != nullptr) {
    const std::optional<Severity> s =
        level->second.IsScalar() ? SeverityFromSigmaLevel(level->second.scalar) : std::nullopt;
    if (!s) {
      loader.Error(level->second.line > 0 ? level->second.line : level->first.line,
                   level->second.line > 0 ? level->second.column : level->first.column,
                   fmt::format("unknown Sigma level `{}`",
                               level->second.IsScalar() ? level->second.scalar : ""),
                   "Sigma levels are informational, low, medium, high and critical");
    } else {
      out.rule.severity = *s;
    }
  }

  SplitSigmaTags(StringList(doc, "tags", loader), out.tags, out.mitre_attack);
  out.falsepositives = StringList(doc, "falsepositives", loader);
  out.rule.references = StringList(doc, "references", loader);

  std::string description = std::string(TrimWhitespace(ScalarOr(doc, "description")));
  if (!out.falsepositives.empty()) {
    if (!description.empty()) description += "\n\n";
    description += "False positives (from the Sigma rule): ";
    for (size_t i = 0; i < out.falsepositives.size(); ++i) {
      if (i) description += "; ";
      description += TrimWhitespace(out.falsepositives[i]);
    }
    if (!description.empty() && description.back() != '.') description += '.';
  }
  if (!description.empty()) description += "\n\n";
  description += "Sigma rule";
  if (!out.sigma_id.empty()) description += " " + out.sigma_id;
  if (!out.author.empty()) description += " by " + out.author;
  const std::string license = ScalarOr(doc, "license");
  if (!license.empty()) description += " (licence: " + license + ")";
  description += ".";
  out.rule.description = std::move(description);
  out.rule.id = SigmaRuleId(out.sigma_id, out.rule.title);

  const SourceText source{loader.text, loader.file};
  for (size_t i = 0; i < doc.members.size(); ++i) {
    const auto& [k, v] = doc.members[i];
    if (!k.IsScalar() || k.scalar != "detection") continue;
    match::NodePtr root = CompileDetection(k, v, source, loader.diagnostics);
    if (root == nullptr) break;
    auto matcher = std::make_shared<match::Matcher>();
    matcher->language = match::Language::kSigma;
    matcher->text = MemberText(loader.text, doc, i, doc_end);
    matcher->root = std::move(root);
    out.rule.matcher = std::move(matcher);
    out.rule.pattern_where = SourceLocation{std::string(loader.file), k.line, k.column};
  }
  if (Member(doc, "detection") == nullptr) {
    loader.Error(doc.line, doc.column, "the Sigma rule has no `detection`");
  }
  out.rule.where = SourceLocation{std::string(loader.file), doc.line, doc.column};
  if (loader.diagnostics.size() != before) return std::nullopt;
  return out;
}

const std::vector<std::string_view>& NestedKeys() {
  static const std::vector<std::string_view> k = {
      "sigma", "id", "title", "severity", "description", "references", "tags", "mitre_attack"};
  return k;
}

}  // namespace

std::optional<Severity> SeverityFromSigmaLevel(std::string_view level) {
  if (level == "informational") return Severity::kInfo;
  if (level == "low") return Severity::kLow;
  if (level == "medium") return Severity::kMedium;
  if (level == "high") return Severity::kHigh;
  if (level == "critical") return Severity::kCritical;
  return std::nullopt;
}

void SplitSigmaTags(const std::vector<std::string>& sigma_tags, std::vector<std::string>& tags,
                    std::vector<std::string>& mitre_attack) {
  for (const std::string& tag : sigma_tags) {
    // attack.tNNNN or attack.tNNNN.NNN (ATT&CK technique and sub-technique ids).
    bool technique = tag.size() >= 12 && StartsWith(tag, "attack.t");
    if (technique) {
      const std::string_view id = std::string_view(tag).substr(8);
      technique = id.size() == 4 || (id.size() == 8 && id[4] == '.');
      for (size_t i = 0; technique && i < id.size(); ++i) {
        technique = i == 4 ? id[i] == '.' : (id[i] >= '0' && id[i] <= '9');
      }
    }
    if (technique) {
      mitre_attack.push_back("T" + tag.substr(8));
    } else {
      tags.push_back(tag);
    }
  }
}

std::string SigmaRuleId(std::string_view sigma_id, std::string_view title) {
  std::string id = "sigma-";
  if (!sigma_id.empty()) {
    for (char c : sigma_id) {
      if (id.size() == 14) break;
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) id += c;
    }
    if (id.size() > 6) return id;
  }
  bool dash = true;  // after "sigma-"
  for (char c : title) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      id += c;
      dash = false;
    } else if (!dash) {
      id += '-';
      dash = true;
    }
    if (id.size() >= 64) break;
  }
  while (id.back() == '-') id.pop_back();
  return id.size() > 6 ? id : "sigma-rule";
}

bool IsSigmaRuleDocument(const YamlNode& doc) {
  if (doc.kind != YamlKind::kMapping) return false;
  return Member(doc, "sigma") != nullptr ||
         (Member(doc, "logsource") != nullptr && Member(doc, "detection") != nullptr);
}

bool IsSigmaRuleText(std::string_view text) {
  auto docs = ParseYaml(text);
  return docs && !docs->empty() && IsSigmaRuleDocument((*docs)[0]);
}

SigmaLoadResult LoadSigmaRules(std::string_view text, std::string_view display_name) {
  SigmaLoadResult result;
  Loader loader{text, display_name, result.diagnostics};
  auto docs = ParseYaml(text);
  if (!docs) {
    loader.Error(docs.error().line, docs.error().column,
                 fmt::format("invalid YAML: {}", docs.error().message));
    return result;
  }
  if (docs->empty()) {
    loader.Error(0, 0, "empty rule file");
    return result;
  }
  if (docs->size() > 1) {
    const YamlNode& second = (*docs)[1];
    loader.Error(second.line, second.column,
                 "Sigma rule collections (several YAML documents in one file) are not supported",
                 "put each Sigma rule in its own file");
    return result;
  }
  const YamlNode& doc = (*docs)[0];
  const auto* nested = Member(doc, "sigma");
  if (nested == nullptr) {
    std::optional<SigmaRule> rule = LoadDocument(doc, doc, loader, text.size());
    if (rule) {
      rule->sigma_text = std::string(text);
      result.rules.push_back(std::move(*rule));
    }
    return result;
  }
  // The nested form: trailwatch keys around a `sigma:` document.
  bool ok = true;
  for (const auto& [k, v] : doc.members) {
    if (!k.IsScalar()) continue;
    bool known = false;
    for (std::string_view key : NestedKeys()) known = known || k.scalar == key;
    if (known) continue;
    const std::string_view near = ClosestMatch(k.scalar, NestedKeys());
    loader.Error(k.line, k.column, fmt::format("unknown key `{}` in a Sigma rule file", k.scalar),
                 k.scalar == "tests"
                     ? std::string("inline tests are not supported in Sigma rule files yet")
                 : near.empty() ? std::string("the keys are sigma, id, title, severity, "
                                              "description, references, tags, mitre_attack")
                                : fmt::format("did you mean `{}`?", near));
    ok = false;
  }
  size_t end = text.size();
  for (size_t i = 0; i + 1 < doc.members.size(); ++i) {
    if (&doc.members[i] == nested) end = LineStart(text, doc.members[i + 1].first.offset);
  }
  std::optional<SigmaRule> rule = LoadDocument(nested->second, nested->first, loader, end);
  if (!ok || !rule) return result;
  for (size_t i = 0; i < doc.members.size(); ++i) {
    if (&doc.members[i] == nested) {
      rule->sigma_text = MemberText(text, doc, i, text.size());
      const size_t nl = rule->sigma_text.find('\n');  // drop the `sigma:` line itself
      rule->sigma_text = nl == std::string::npos ? std::string() : rule->sigma_text.substr(nl + 1);
      if (nested->second.column > 1) {
        rule->sigma_text = Dedent(rule->sigma_text, static_cast<size_t>(nested->second.column - 1));
      }
    }
  }
  // Overrides.
  if (const auto* m = Member(doc, "id"); m != nullptr && m->second.IsScalar()) {
    rule->rule.id = m->second.scalar;
  }
  if (const auto* m = Member(doc, "title"); m != nullptr && m->second.IsScalar()) {
    rule->rule.title = m->second.scalar;
  }
  if (const auto* m = Member(doc, "description"); m != nullptr && m->second.IsScalar()) {
    rule->rule.description = m->second.scalar;
  }
  if (const auto* m = Member(doc, "severity"); m != nullptr) {
    const std::optional<Severity> s =
        m->second.IsScalar() ? ParseSeverity(m->second.scalar) : std::nullopt;
    if (!s) {
      loader.Error(m->second.line, m->second.column, "unknown severity",
                   "one of info, low, medium, high, critical");
      return result;
    }
    rule->rule.severity = *s;
  }
  if (Member(doc, "references") != nullptr) {
    rule->rule.references = StringList(doc, "references", loader);
  }
  if (Member(doc, "tags") != nullptr) rule->tags = StringList(doc, "tags", loader);
  if (Member(doc, "mitre_attack") != nullptr) {
    rule->mitre_attack = StringList(doc, "mitre_attack", loader);
  }
  rule->rule.where = SourceLocation{std::string(display_name), doc.line, doc.column};
  if (!result.diagnostics.empty()) return result;
  result.rules.push_back(std::move(*rule));
  return result;
}

std::string RenderImportedRule(const SigmaRule& rule, std::string_view source_name) {
  std::string out;
  out += fmt::format("# Imported by `trailwatch rules import-sigma` from {}.\n", source_name);
  out += "# The keys above `sigma:` are derived from it and may be edited; the Sigma document\n";
  out += "# below is kept as written, with its author and id (credit them as its licence asks).\n";
  out += "id: " + Quote(rule.rule.id) + "\n";
  out += "title: " + Quote(rule.rule.title) + "\n";
  out += std::string("severity: ") + SeverityName(rule.rule.severity) + "\n";
  out += "description: " + Quote(rule.rule.description) + "\n";
  auto list = [&](std::string_view key, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out += std::string(key) + ":\n";
    for (const auto& item : items) out += "  - " + Quote(item) + "\n";
  };
  list("references", rule.rule.references);
  list("tags", rule.tags);
  list("mitre_attack", rule.mitre_attack);
  out += "sigma:\n";
  size_t pos = 0;
  const std::string& s = rule.sigma_text;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string::npos) nl = s.size();
    const std::string_view line = std::string_view(s).substr(pos, nl - pos);
    if (line.empty() || line == "\r") {
      out += "\n";
    } else {
      out += "  ";
      out += line;
      out += "\n";
    }
    pos = nl + 1;
  }
  return out;
}

}  // namespace tw::rules::sigma
