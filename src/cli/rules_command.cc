#include "cli/rules_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>

#include "cli/cli_util.h"
#include "common/strings.h"
#include "rules/attack.h"
#include "rules/inline_test.h"
#include "rules/lint.h"
#include "rules/rule_set.h"

namespace tw::cli {
namespace {

// True when `rule` passes every filter of `args` (an empty filter passes everything).
bool Selected(const rules::Rule& rule, const RulesArgs& args) {
  auto any = [](const std::vector<std::string>& wanted, auto&& matches) {
    return wanted.empty() || std::any_of(wanted.begin(), wanted.end(), matches);
  };
  auto has = [](const std::vector<std::string>& list, std::string_view v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  return any(args.tags, [&](const std::string& t) { return has(rule.tags, t); }) &&
         any(args.packs, [&](const std::string& p) { return rule.pack == p; }) &&
         any(args.severities,
             [&](const std::string& s) { return s == rules::SeverityName(rule.severity); }) &&
         any(args.mitre, [&](const std::string& m) {
           // T1562 selects T1562 and its sub-techniques T1562.nnn.
           return std::any_of(
               rule.mitre_attack.begin(), rule.mitre_attack.end(), [&](const std::string& id) {
                 return id == m ||
                        (id.size() > m.size() && id.starts_with(m) && id[m.size()] == '.');
               });
         });
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  AppendJsonEscaped(out, s);
  out += '"';
}

void AppendJsonList(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, items[i]);
  }
  out += ']';
}

// One JSON object per line.
void PrintJson(const std::vector<const rules::Rule*>& rules) {
  for (const rules::Rule* r : rules) {
    std::string out = "{\"id\":";
    AppendJsonString(out, r->id);
    out += ",\"title\":";
    AppendJsonString(out, r->title);
    out += ",\"severity\":";
    AppendJsonString(out, rules::SeverityName(r->severity));
    out += ",\"pack\":";
    AppendJsonString(out, r->pack);
    out += ",\"description\":";
    AppendJsonString(out, r->description);
    out += ",\"tags\":";
    AppendJsonList(out, r->tags);
    out += ",\"mitre_attack\":";
    AppendJsonList(out, r->mitre_attack);
    out += ",\"references\":";
    AppendJsonList(out, r->references);
    out += "}\n";
    std::fputs(out.c_str(), stdout);
  }
}

// Markdown table cell text: no line breaks, `|` escaped.
std::string Cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

// The catalogue table of docs/rules.md, in pack order then file order.
void PrintMarkdown(std::vector<const rules::Rule*> rules) {
  std::stable_sort(rules.begin(), rules.end(),
                   [](const rules::Rule* a, const rules::Rule* b) { return a->pack < b->pack; });
  std::printf(
      "| pack | id | severity | title | ATT&CK | inline tests (+ / -) |\n"
      "| --- | --- | --- | --- | --- | --- |\n");
  for (const rules::Rule* r : rules) {
    std::string techniques;
    for (const std::string& t : r->mitre_attack) {
      if (!techniques.empty()) techniques += ", ";
      techniques += t;
    }
    size_t positive = 0;
    for (const auto& t : r->tests) positive += t.expect ? 1 : 0;
    std::printf("| %s | `%s` | %s | %s | %s | %zu / %zu |\n", Cell(r->pack).c_str(),
                Cell(r->id).c_str(), rules::SeverityName(r->severity), Cell(r->title).c_str(),
                Cell(techniques).c_str(), positive, r->tests.size() - positive);
  }
}

int Show(const std::vector<rules::Rule>& rules, const std::string& id) {
  const auto it =
      std::find_if(rules.begin(), rules.end(), [&](const rules::Rule& r) { return r.id == id; });
  if (it == rules.end()) {
    std::vector<std::string_view> ids;
    for (const auto& r : rules) ids.push_back(r.id);
    const std::string_view close = rules::ClosestMatch(id, ids);
    std::fprintf(stderr, "trailwatch: error: no rule `%s`%s\n", id.c_str(),
                 close.empty() ? "" : fmt::format(" (did you mean `{}`?)", close).c_str());
    return kExitInputError;
  }
  const rules::Rule& r = *it;
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  size_t positive = 0;
  for (const auto& t : r.tests) positive += t.expect ? 1 : 0;
  std::printf("id:          %s\n", r.id.c_str());
  std::printf("title:       %s\n", r.title.c_str());
  std::printf("severity:    %s\n", rules::SeverityName(r.severity));
  std::printf("pack:        %s\n", r.pack.c_str());
  std::printf("defined at:  %s\n", r.where.ToString().c_str());
  std::printf("tags:        %s\n", join(r.tags).c_str());
  std::printf("mitre_attack:\n");
  for (const std::string& t : r.mitre_attack) {
    const rules::AttackTechnique* technique = rules::FindAttackTechnique(t);
    std::printf("  %s %s\n", t.c_str(),
                technique != nullptr ? std::string(technique->name).c_str() : "");
  }
  std::printf("description:\n  %s\n", r.description.c_str());
  std::printf("references:\n");
  for (const std::string& ref : r.references) std::printf("  %s\n", ref.c_str());
  std::printf(
      "%s:\n  %s\n",
      r.matcher->language == match::Language::kEventPattern ? "event_pattern" : "filter_pattern",
      r.matcher->text.c_str());
  std::printf("inline tests: %zu (%zu positive, %zu negative)\n", r.tests.size(), positive,
              r.tests.size() - positive);
  return kExitOk;
}

int List(const std::vector<rules::Rule>& all, const RulesArgs& args) {
  const bool stats = args.stats;
  std::vector<const rules::Rule*> selected;
  for (const auto& r : all) {
    if (Selected(r, args)) selected.push_back(&r);
  }
  if (args.format == "json") {
    PrintJson(selected);
    return kExitOk;
  }
  if (args.format == "markdown") {
    PrintMarkdown(selected);
    return kExitOk;
  }
  std::vector<rules::Rule> kept;
  for (const rules::Rule* r : selected) kept.push_back(*r);
  auto set = rules::RuleSet::Create(std::move(kept));
  const auto& rules = set->rules();
  std::printf("%-32s %-9s %-15s %s\n", "ID", "SEVERITY", "LANGUAGE", "TITLE");
  for (size_t i = 0; i < rules.size(); ++i) {
    const rules::Rule& r = *rules[i];
    // Ids and titles come from rule files: escaped for the terminal.
    std::printf("%-32s %-9s %-15s %s\n", EscapeForTerminal(r.id).c_str(),
                rules::SeverityName(r.severity), match::LanguageName(r.matcher->language),
                EscapeForTerminal(r.title).c_str());
    if (stats) {
      std::printf("    anchor: %s\n",
                  set->index().DescribeAnchor(static_cast<uint32_t>(i)).c_str());
    }
  }
  std::printf("%zu rule%s\n", rules.size(), rules.size() == 1 ? "" : "s");
  if (!stats) return kExitOk;
  const auto s = set->index().GetStats();
  std::printf(
      "\nindex buckets: EXACT rules are dispatched by the field's value (VALUES distinct);\n"
      "SHAPE rules by its shape (a prefix, suffix, wildcard or regex), PREFIX of them by the\n"
      "first two bytes, RE2SET of them by one combined automaton, the rest tested one by one:\n");
  std::printf("  %-40s %7s %7s %7s %7s %7s\n", "FIELD", "EXACT", "VALUES", "SHAPE", "PREFIX",
              "RE2SET");
  for (size_t i = 0; i < s.first_look_slots && i < s.buckets.size(); ++i) {
    const auto& b = s.buckets[i];
    std::printf("  %-40s %7zu %7zu %7zu %7zu %7zu\n", b.slot.c_str(), b.exact_rules,
                b.distinct_values, b.presence_rules, b.prefix_rules, b.shape_rules);
  }
  std::printf("  %-40s %7zu\n", "unindexed (evaluated on every event)", s.unindexed);
  if (s.first_look_slots < s.buckets.size()) {
    std::printf(
        "\nsecond look: fields no rule is dispatched on, checked before evaluation; those in an\n"
        "object are read only for the events whose rules test them (%zu):\n",
        s.buckets.size() - s.first_look_slots);
    for (size_t i = s.first_look_slots; i < s.buckets.size(); ++i) {
      std::printf("  %s\n", s.buckets[i].slot.c_str());
    }
  }
  return kExitOk;
}

int Test(const std::vector<rules::Rule>& rules) {
  const auto failures = rules::RunInlineTests(rules);
  const size_t total = rules::CountInlineTests(rules);
  for (const auto& f : failures) {
    // The message quotes the rule file (names, events): escaped line by line.
    std::string shown;
    size_t start = 0;
    for (size_t nl; (nl = f.message.find('\n', start)) != std::string::npos; start = nl + 1) {
      shown += EscapeForTerminal(std::string_view(f.message).substr(start, nl - start)) + "\n";
    }
    shown += EscapeForTerminal(std::string_view(f.message).substr(start));
    std::printf("FAIL %s\n", shown.c_str());
  }
  std::printf("%zu passed, %zu failed (%zu rule%s)\n", total - failures.size(), failures.size(),
              rules.size(), rules.size() == 1 ? "" : "s");
  return failures.empty() ? kExitOk : kExitInputError;
}

int Lint(const std::vector<rules::Rule>& rules, bool strict) {
  const auto diagnostics = rules::LintRules(rules);
  size_t warnings = 0;
  for (const auto& d : diagnostics) {
    std::printf("%s\n", d.ToString().c_str());
    if (d.level == rules::DiagnosticLevel::kWarning) ++warnings;
  }
  const size_t errors = diagnostics.size() - warnings;
  std::printf("%zu rule%s checked: %zu error%s, %zu warning%s\n", rules.size(),
              rules.size() == 1 ? "" : "s", errors, errors == 1 ? "" : "s", warnings,
              warnings == 1 ? "" : "s");
  return errors > 0 || (strict && warnings > 0) ? kExitInputError : kExitOk;
}

}  // namespace

CLI::App* AddRulesCommand(CLI::App& app, RulesArgs& args, std::string& which) {
  CLI::App* cmd = app.add_subcommand("rules", "List, test and lint detection rules");
  cmd->footer("");
  cmd->require_subcommand(1);
  auto add_common = [&](CLI::App* sub, const char* paths_help) {
    sub->add_option("PATH", args.paths, paths_help);
    sub->add_flag("--no-builtin-rules", args.no_builtin, "Leave out the built-in rule pack");
    sub->callback([&which, sub] { which = sub->get_name(); });
    sub->footer("");
  };
  CLI::App* list = cmd->add_subcommand("list", "List the rules and how the index dispatches them");
  add_common(list, "Rule files or directories to list with the built-in pack");
  list->add_flag("--stats", args.stats, "Show each rule's index anchor and the bucket sizes");
  list->add_option("--tag", args.tags, "Only rules with this tag (repeatable: any of them)");
  list->add_option("--mitre", args.mitre,
                   "Only rules mapped to this ATT&CK technique or one of its sub-techniques");
  list->add_option("--severity", args.severities, "Only rules of this severity (repeatable)")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  list->add_option("--pack", args.packs, "Only rules of this pack (rule file name, repeatable)");
  list->add_option("--format", args.format, "Output: text, json (one object per line), markdown")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  CLI::App* show = cmd->add_subcommand("show", "Print one rule whole, its pattern included");
  show->add_option("ID", args.show_id, "The rule id")->required();
  show->add_option("PATH", args.paths, "Rule files or directories to look in besides the pack");
  show->add_flag("--no-builtin-rules", args.no_builtin, "Leave out the built-in rule pack");
  show->callback([&which, show] { which = show->get_name(); });
  show->footer("");
  CLI::App* test = cmd->add_subcommand(
      "test", "Run the inline tests of the built-in rules and of the given rule files");
  add_common(test, "Rule files or directories");
  test->footer("\nExit status: 0 when every test passes, 1 when one fails, 2 on a rule error.");
  CLI::App* lint = cmd->add_subcommand("lint", "Check rule files for errors and doubtful rules");
  add_common(lint, "Rule files or directories");
  lint->add_flag("--strict", args.strict, "Fail on warnings too");
  lint->footer(
      "\nExit status: 0 when clean, 1 on lint errors (or warnings with --strict), 2 when a "
      "rule file does not load.");
  return cmd;
}

int RunRules(const RulesArgs& args, const std::string& which) {
  // The Markdown catalogue counts inline tests; a plain list does not need them.
  const bool with_tests = which != "list" || args.format == "markdown";
  auto rules = LoadRules(args.paths, args.no_builtin, with_tests);
  if (!rules) {
    std::fprintf(stderr, "%s\n", rules.error().message.c_str());
    return kExitUsage;
  }
  if (which == "list") return List(*rules, args);
  if (which == "show") return Show(*rules, args.show_id);
  if (which == "test") return Test(*rules);
  return Lint(*rules, args.strict);
}

}  // namespace tw::cli
