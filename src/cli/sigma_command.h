// `trailwatch rules import-sigma FILE|DIR`: prints Sigma rules as trailwatch rule files.
//
// Each Sigma rule (rules/sigma/sigma_rule.h) is loaded and compiled, so an unsupported construct
// is reported with its position rather than printed; each rule that loads is printed in the
// `sigma:` form (rules/sigma/sigma_rule.h RenderImportedRule), documents separated by `---`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace tw::cli {

struct ImportSigmaArgs {
  std::vector<std::string> paths;
};

// Adds `import-sigma` under the `rules` command; `which` receives "import-sigma" when chosen.
CLI::App* AddImportSigmaCommand(CLI::App& rules, ImportSigmaArgs& args, std::string& which);

// Exit status: 0 when every file loaded, 2 on a rule error or an unreadable path.
int RunImportSigma(const ImportSigmaArgs& args);

}  // namespace tw::cli
