#include "cli/config_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/cli_util.h"
#include "config/config.h"

namespace tw::cli {
namespace {

int Check(const ConfigArgs& args) {
  tl::expected<config::Config, std::vector<rules::Diagnostic>> parsed;
  if (args.file == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (text.size() > config::kMaxConfigBytes) {
      PrintError(fmt::format("<stdin>: larger than {} bytes", config::kMaxConfigBytes));
      return kExitUsage;
    }
    parsed = config::ParseConfig(text, "<stdin>", config::ProcessEnv());
  } else {
    parsed = config::LoadConfig(args.file);
  }
  if (!parsed) {
    std::fprintf(stderr, "%s\n", rules::FormatDiagnostics(parsed.error()).c_str());
    PrintError(fmt::format("{}: invalid config ({} problem{})",
                           args.file == "-" ? "<stdin>" : args.file, parsed.error().size(),
                           parsed.error().size() == 1 ? "" : "s"));
    return kExitUsage;
  }
  const config::Config& cfg = *parsed;
  auto loaded = LoadRules(cfg.rule_paths, !cfg.builtin_rules, /*with_tests=*/false);
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
    PrintError(fmt::format("{}: the rules it names do not load", cfg.display_name));
    return kExitUsage;
  }
  std::vector<std::string> ids;
  for (const rules::Rule& r : *loaded) ids.push_back(r.id);
  std::vector<rules::Diagnostic> unknown = config::ValidateOverrides(cfg, ids);
  std::vector<std::string> packs;
  for (const rules::Rule& r : *loaded) packs.push_back(r.pack);
  for (rules::Diagnostic& d : config::ValidatePacks(cfg, packs)) unknown.push_back(std::move(d));
  if (!unknown.empty()) {
    std::fprintf(stderr, "%s\n", rules::FormatDiagnostics(unknown).c_str());
    PrintError(fmt::format("{}: invalid config ({} problem{})", cfg.display_name, unknown.size(),
                           unknown.size() == 1 ? "" : "s"));
    return kExitUsage;
  }
  std::printf("%s: valid (%zu source%s, %zu sink%s, %zu rule%s)\n", cfg.display_name.c_str(),
              cfg.sources.size(), cfg.sources.size() == 1 ? "" : "s", cfg.sinks.size(),
              cfg.sinks.size() == 1 ? "" : "s", loaded->size(), loaded->size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

CLI::App* AddConfigCommand(CLI::App& app, ConfigArgs& args, std::string& which) {
  CLI::App* cmd = app.add_subcommand("config", "Check a config file, or print an example");
  cmd->footer("");
  cmd->require_subcommand(1);
  CLI::App* check = cmd->add_subcommand(
      "check", "Validate a config file: every key, the files and variables it names, rule ids");
  check->add_option("FILE", args.file, "The config file (- for standard input)")->required();
  check->footer("\nExit status: 0 when valid, 2 when not (diagnostics on stderr).");
  check->callback([&which, check] { which = check->get_name(); });
  CLI::App* example =
      cmd->add_subcommand("example", "Print a commented config that shows every option");
  example->footer("");
  example->callback([&which, example] { which = example->get_name(); });
  return cmd;
}

int RunConfig(const ConfigArgs& args, const std::string& which) {
  if (which == "example") {
    const std::string_view text = config::ExampleConfig();
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitInputError;
  }
  return Check(args);
}

}  // namespace tw::cli
