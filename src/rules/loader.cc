#include "rules/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "rules/load_internal.h"
#include "rules/rule_spec.h"

namespace tw::rules {
namespace {

// A front end's error message: the first line, the pattern column it names (0: none), its hint,
// and its excerpt (the pattern line and the caret under it), as the filter pattern compiler
// renders it (match/cwl/compile.h):
//   invalid filter pattern: <what> at column N
//     <pattern>
//     <spaces>^
//     hint: <hint>
struct CompileMessage {
  std::string headline;
  int column = 0;
  std::string hint;
  std::string excerpt;
  int excerpt_caret = 0;
};

CompileMessage SplitCompileMessage(std::string_view message) {
  CompileMessage out;
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= message.size();) {
    size_t nl = message.find('\n', start);
    if (nl == std::string_view::npos) nl = message.size();
    lines.push_back(message.substr(start, nl - start));
    start = nl + 1;
  }
  out.headline = std::string(lines[0]);
  constexpr std::string_view kMarker = " at column ";
  if (size_t at = out.headline.rfind(kMarker); at != std::string::npos) {
    const std::string_view digits = std::string_view(out.headline).substr(at + kMarker.size());
    if (!digits.empty() &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      out.column = std::stoi(std::string(digits.substr(0, 6)));
      out.headline.resize(at);
    }
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (line.substr(0, 2) == "  ") line.remove_prefix(2);
    if (line.substr(0, 6) == "hint: ") {
      out.hint = std::string(line.substr(6));
    } else if (out.excerpt.empty()) {
      out.excerpt = std::string(line);
    } else if (out.excerpt_caret == 0 && line.find('^') != std::string_view::npos) {
      out.excerpt_caret = static_cast<int>(line.find('^')) + 1;
    }
  }
  return out;
}

Result<std::vector<Rule>> ToResult(LoadedRules loaded) {
  if (!loaded.diagnostics.empty()) {
    return Fail(ErrorCode::kInvalidArgument, FormatDiagnostics(loaded.diagnostics));
  }
  return std::move(loaded.rules);
}

}  // namespace

Diagnostic PatternDiagnostic(const RuleSpec& spec, const Error& error) {
  const CompileMessage m = SplitCompileMessage(error.message);
  Diagnostic d;
  d.where = spec.pattern_where;
  d.hint = m.hint;
  if (m.column > 0) {
    d.message = fmt::format("{} (column {} of the pattern)", m.headline, m.column);
  } else {
    d.message = m.headline;
  }
  const size_t index = static_cast<size_t>(m.column - 1);
  if (m.column > 0 && index < spec.pattern_columns.size()) {
    d.where.column = spec.pattern_columns[index];
    d.excerpt = spec.pattern_line;
    d.caret_column = d.where.column;
  } else if (!m.excerpt.empty()) {
    d.excerpt = m.excerpt;
    d.caret_column = m.excerpt_caret;
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
  ParsedRuleFile parsed = ParseRuleFile(yaml, display_name, base_dir);
  LoadedRules out;
  out.diagnostics = std::move(parsed.diagnostics);
  for (RuleSpec& spec : parsed.rules) {
    if (spec.pattern.empty()) continue;  // already reported
    auto matcher = match::CompileMatcher(spec.language, spec.pattern);
    if (!matcher) {
      out.diagnostics.push_back(PatternDiagnostic(spec, matcher.error()));
      continue;
    }
    Rule rule;
    rule.id = std::move(spec.id);
    rule.title = std::move(spec.title);
    rule.description = std::move(spec.description);
    rule.severity = spec.severity;
    rule.references = std::move(spec.references);
    rule.matcher = std::move(*matcher);
    rule.tests = std::move(spec.tests);
    rule.where = std::move(spec.where);
    rule.pattern_where = std::move(spec.pattern_where);
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
