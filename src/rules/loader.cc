#include "rules/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "rules/load_internal.h"
#include "rules/rule_spec.h"
#include "rules/sigma/sigma_rule.h"

namespace tw::rules {
namespace {

// A Sigma rule file (rules/sigma/sigma_rule.h): plain, or nested under `sigma:`.
LoadedRules LoadSigmaFile(std::string_view yaml, std::string_view display_name) {
  sigma::SigmaLoadResult loaded = sigma::LoadSigmaRules(yaml, display_name);
  LoadedRules out;
  out.diagnostics = std::move(loaded.diagnostics);
  for (sigma::SigmaRule& r : loaded.rules) out.rules.push_back(std::move(r.rule));
  return out;
}

Result<std::vector<Rule>> ToResult(LoadedRules loaded) {
  if (!loaded.diagnostics.empty()) {
    return Fail(ErrorCode::kInvalidArgument, FormatDiagnostics(loaded.diagnostics));
  }
  return std::move(loaded.rules);
}

}  // namespace

std::string PackName(std::string_view file) {
  return std::filesystem::path(std::string(file)).stem().string();
}

Diagnostic PatternDiagnostic(const RuleSpec& spec, const match::PatternProblem& problem) {
  Diagnostic d;
  d.where = spec.pattern_where;
  d.hint = problem.hint;
  if (problem.column > 0) {
    d.message = fmt::format("{} (column {} of the pattern)", problem.message, problem.column);
  } else {
    d.message = problem.message;
  }
  const size_t index = problem.column - 1;
  if (problem.column > 0 && index < spec.pattern_columns.size()) {
    d.where.column = spec.pattern_columns[index];
    d.excerpt = spec.pattern_line;
    d.caret_column = d.where.column;
  } else if (!problem.excerpt.empty()) {
    d.excerpt = problem.excerpt;
    d.caret_column = static_cast<int>(problem.caret_column);
  } else {
    d.excerpt = spec.pattern_line;
    d.caret_column = spec.pattern_where.column;
  }
  if (d.hint.empty() && spec.language == match::Language::kEventPattern) {
    d.hint =
        "see the EventBridge event pattern reference: "
        "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html";
  }
  return d;
}

LoadedRules LoadRulesWithDiagnostics(std::string_view yaml, std::string_view display_name,
                                     const std::string& base_dir) {
  // One YAML parse serves both the Sigma test and the rule file's checks (parsing was most of
  // the time of loading a large rule file, and it used to happen twice).
  const auto documents = ParseYaml(yaml);
  if (documents && !documents->empty() && sigma::IsSigmaRuleDocument((*documents)[0])) {
    return LoadSigmaFile(yaml, display_name);
  }
  ParsedRuleFile parsed = ParseRuleDocuments(yaml, documents, display_name, base_dir);
  LoadedRules out;
  out.diagnostics = std::move(parsed.diagnostics);
  for (RuleSpec& spec : parsed.rules) {
    if (spec.pattern.empty()) continue;  // already reported
    match::PatternProblem problem;
    auto matcher = match::CompileMatcher(spec.language, spec.pattern, &problem);
    if (!matcher) {
      out.diagnostics.push_back(PatternDiagnostic(spec, problem));
      continue;
    }
    Rule rule;
    rule.id = std::move(spec.id);
    rule.title = std::move(spec.title);
    rule.description = std::move(spec.description);
    rule.severity = spec.severity;
    rule.references = std::move(spec.references);
    rule.tags = std::move(spec.tags);
    rule.mitre_attack = std::move(spec.mitre_attack);
    rule.pack = PackName(display_name);
    rule.matcher = std::move(*matcher);
    rule.tests = std::move(spec.tests);
    rule.where = std::move(spec.where);
    rule.pattern_where = std::move(spec.pattern_where);
    rule.policy = std::move(spec.policy);
    rule.policy_keys = spec.policy_keys;
    out.rules.push_back(std::move(rule));
  }
  // Rules are only handed out whole: a file with any error yields none.
  if (!out.diagnostics.empty()) out.rules.clear();
  return out;
}

void CheckUniqueIds(const std::vector<Rule>& rules, std::vector<Diagnostic>& diagnostics) {
  std::map<std::string_view, const Rule*> first;
  for (const Rule& rule : rules) {
    const auto [it, inserted] = first.emplace(rule.id, &rule);
    if (inserted) continue;
    Diagnostic d;
    d.where = rule.where;
    d.message = fmt::format("duplicate rule id `{}`", rule.id);
    d.hint = fmt::format(
        "`{}` is already defined at {}; ids must be unique across all loaded "
        "rules",
        rule.id, it->second->where.ToString());
    diagnostics.push_back(std::move(d));
  }
}

Result<std::vector<Rule>> LoadRulesFromText(std::string_view yaml, std::string_view display_name,
                                            const std::string& base_dir) {
  return ToResult(LoadRulesWithDiagnostics(yaml, display_name, base_dir));
}

Result<std::vector<Rule>> LoadRuleFile(const std::string& path) {
  Result<std::string> text = ReadTextFile(path, kMaxRuleFileBytes);
  if (!text) return tl::unexpected(text.error());
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  return LoadRulesFromText(*text, path, base_dir.empty() ? "." : base_dir);
}

Result<std::vector<Rule>> LoadRulePaths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) {
      return Fail(ErrorCode::kNotFound, fmt::format("{}: no such file or directory", path));
    }
    if (!fs::is_directory(status)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& p = it->path();
      if ((p.extension() == ".yml" || p.extension() == ".yaml") && it->is_regular_file(ec)) {
        found.push_back(p.string());
      }
    }
    if (ec) return Fail(ErrorCode::kIo, fmt::format("{}: {}", path, ec.message()));
    if (found.empty()) {
      return Fail(ErrorCode::kNotFound,
                  fmt::format("{}: no rule files (*.yml, *.yaml) in this folder", path));
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }

  std::vector<Rule> rules;
  std::vector<Diagnostic> diagnostics;
  std::set<std::string> seen;
  for (const std::string& file : files) {
    std::error_code ec;
    const std::string canonical = fs::weakly_canonical(file, ec).string();
    if (!seen.insert(ec ? file : canonical).second) continue;
    Result<std::string> text = ReadTextFile(file, kMaxRuleFileBytes);
    if (!text) return tl::unexpected(text.error());
    const std::string base_dir = fs::path(file).parent_path().string();
    LoadedRules loaded = LoadRulesWithDiagnostics(*text, file, base_dir.empty() ? "." : base_dir);
    diagnostics.insert(diagnostics.end(), std::make_move_iterator(loaded.diagnostics.begin()),
                       std::make_move_iterator(loaded.diagnostics.end()));
    rules.insert(rules.end(), std::make_move_iterator(loaded.rules.begin()),
                 std::make_move_iterator(loaded.rules.end()));
  }
  CheckUniqueIds(rules, diagnostics);
  return ToResult(LoadedRules{std::move(rules), std::move(diagnostics)});
}

}  // namespace tw::rules
