#include "cli/rules_command.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/cli_util.h"
#include "common/strings.h"
#include "rules/inline_test.h"
#include "rules/lint.h"
#include "rules/rule_set.h"

namespace tw::cli {
namespace {

int List(std::vector<rules::Rule> loaded, bool stats) {
  auto set = rules::RuleSet::Create(std::move(loaded));
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
  for (const auto& b : s.buckets) {
    std::printf("  %-40s %7zu %7zu %7zu %7zu %7zu\n", b.slot.c_str(), b.exact_rules,
                b.distinct_values, b.presence_rules, b.prefix_rules, b.shape_rules);
  }
  std::printf("  %-40s %7zu\n", "unindexed (evaluated on every event)", s.unindexed);
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
  auto rules = LoadRules(args.paths, args.no_builtin, /*with_tests=*/which != "list");
  if (!rules) {
    std::fprintf(stderr, "%s\n", rules.error().message.c_str());
    return kExitUsage;
  }
  if (which == "list") return List(std::move(*rules), args.stats);
  if (which == "test") return Test(*rules);
  return Lint(*rules, args.strict);
}

}  // namespace tw::cli
