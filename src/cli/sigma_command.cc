#include "cli/sigma_command.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "cli/cli_util.h"
#include "rules/rule_spec.h"
#include "rules/sigma/sigma_rule.h"

namespace tw::cli {

CLI::App* AddImportSigmaCommand(CLI::App& rules, ImportSigmaArgs& args, std::string& which) {
  CLI::App* cmd = rules.add_subcommand(
      "import-sigma", "Print Sigma rules (logsource aws/cloudtrail) as trailwatch rule files");
  cmd->add_option("PATH", args.paths, "Sigma rule files, or folders of *.yml / *.yaml")->required();
  cmd->callback([&which, cmd] { which = cmd->get_name(); });
  cmd->footer("\nExit status: 0 when every rule converts, 2 when one does not (see its error).");
  return cmd;
}

int RunImportSigma(const ImportSigmaArgs& args) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& path : args.paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path& p = it->path();
      if ((p.extension() == ".yml" || p.extension() == ".yaml") && it->is_regular_file(ec)) {
        found.push_back(p.string());
      }
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  int status = kExitOk;
  bool first = true;
  for (const std::string& file : files) {
    Result<std::string> text = rules::ReadTextFile(file, rules::kMaxRuleFileBytes);
    if (!text) {
      std::fprintf(stderr, "%s\n", text.error().message.c_str());
      status = kExitUsage;
      continue;
    }
    rules::sigma::SigmaLoadResult loaded = rules::sigma::LoadSigmaRules(*text, file);
    if (!loaded.diagnostics.empty()) {
      std::fprintf(stderr, "%s\n", rules::FormatDiagnostics(loaded.diagnostics).c_str());
      status = kExitUsage;
      continue;
    }
    for (const auto& rule : loaded.rules) {
      if (!first) std::printf("---\n");
      first = false;
      std::printf("%s", rules::sigma::RenderImportedRule(rule, file).c_str());
    }
  }
  return status;
}

}  // namespace tw::cli
