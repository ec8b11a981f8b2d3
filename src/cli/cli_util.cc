#include "cli/cli_util.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

#include "common/strings.h"
#include "rules/builtin.h"
#include "rules/diagnostic.h"
#include "rules/loader.h"

namespace tw::cli {

Result<std::vector<rules::Rule>> LoadRules(const std::vector<std::string>& paths, bool no_builtin,
                                           bool with_tests) {
  std::vector<rules::Rule> out;
  if (!no_builtin) {
    auto builtin =
        rules::LoadBuiltinRules(with_tests ? rules::InlineTests::kLoad : rules::InlineTests::kSkip);
    if (!builtin) return tl::unexpected(builtin.error());
    out = std::move(*builtin);
  }
  if (paths.empty()) return out;
  auto user = rules::LoadRulePaths(paths);
  if (!user) return tl::unexpected(user.error());
  std::map<std::string, size_t> by_id;
  for (size_t i = 0; i < out.size(); ++i) by_id[out[i].id] = i;
  for (auto& rule : *user) {
    auto it = by_id.find(rule.id);
    if (it != by_id.end()) {
      out[it->second] = std::move(rule);
    } else {
      by_id[rule.id] = out.size();
      out.push_back(std::move(rule));
    }
  }
  return out;
}

namespace {

// The long and short option names of `app` and its subcommands' option names.
std::vector<std::string> OptionNames(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& n : opt->get_lnames()) names.push_back("--" + n);
    for (const auto& n : opt->get_snames()) names.push_back("-" + n);
  }
  return names;
}

// "trailwatch rules list": the command as the user types it.
std::string CommandPath(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* p = app->get_parent(); p != nullptr; p = p->get_parent()) {
    path = p->get_name() + " " + path;
  }
  return path;
}

const CLI::App* DeepestParsed(const CLI::App& app) {
  for (const CLI::App* sub : app.get_subcommands()) {
    if (sub->parsed()) return DeepestParsed(*sub);
  }
  return &app;
}

}  // namespace

int ParseArgs(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
    return -1;
  } catch (const CLI::CallForHelp&) {
    std::fputs(DeepestParsed(app)->help().c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::puts(e.what());
    return kExitOk;
  } catch (const CLI::ExtrasError& e) {
    const CLI::App* where = DeepestParsed(app);
    std::string message = e.what();
    for (const std::string& extra : app.remaining(true)) {
      if (extra.empty() || extra[0] != '-') continue;
      const std::string flag = extra.substr(0, extra.find('='));
      const std::vector<std::string> names = OptionNames(*where);
      std::vector<std::string_view> views(names.begin(), names.end());
      const std::string_view best = rules::ClosestMatch(flag, views);
      message = "unknown option " + flag;
      if (!best.empty()) message += "; did you mean " + std::string(best) + "?";
      break;
    }
    PrintError(message + "\nRun '" + CommandPath(where) + " --help' for usage.");
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    const CLI::App* where = DeepestParsed(app);
    std::string message = e.what();
    // A mistyped command: "trailwatch sacn" -> did you mean scan?
    const auto rest = where->remaining(true);
    if (!rest.empty() && !rest[0].empty() && rest[0][0] != '-' &&
        !where->get_subcommands({}).empty()) {
      std::vector<std::string> names;
      for (const CLI::App* sub : where->get_subcommands({})) names.push_back(sub->get_name());
      std::vector<std::string_view> views(names.begin(), names.end());
      const std::string_view best = rules::ClosestMatch(rest[0], views);
      message = "unknown command '" + rest[0] + "'";
      if (!best.empty()) message += "; did you mean '" + std::string(best) + "'?";
    }
    PrintError(message + "\nRun '" + CommandPath(where) + " --help' for usage.");
    return kExitUsage;
  }
}

void PrintError(const std::string& message) {
  std::fprintf(stderr, "trailwatch: error: %s\n", message.c_str());
}

int CheckStdout(int status) {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int err = errno;
  if (flushed && !std::ferror(stdout)) return status;
  if (status == kExitOutputError) return status;  // already reported
  PrintError(std::string("cannot write the output: ") +
             (err != 0 ? std::strerror(err) : "write error on standard output"));
  return kExitOutputError;
}

bool StdoutIsColorTerminal() { return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr; }
bool StderrIsTerminal() { return isatty(STDERR_FILENO); }

std::string DescribeInputError(const pipeline::InputError& e) {
  std::string out = EscapeForTerminal(e.file);
  if (!e.where.empty()) out += ": " + EscapeForTerminal(e.where);
  return out + ": " + EscapeForTerminal(e.error.message);
}

}  // namespace tw::cli
