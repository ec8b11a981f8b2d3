// Shared pieces of the trailwatch commands: loading the rule set, exit codes, and CLI11 wiring
// (CLI11 throws; this adapter turns its errors into messages with a suggestion, exit status 2).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "pipeline/pipeline.h"
#include "rules/rule.h"

namespace tw::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInputError = 1;
inline constexpr int kExitUsage = 2;
// Standard output could not be written (a write or the final flush failed): the results are
// incomplete. Wins over every other status of every command.
inline constexpr int kExitOutputError = 3;
// `match` only: some input could not be read (1 already means "no event matched").
inline constexpr int kExitMatchInputError = 4;

// Flushes stdout and checks its error flag (set by any failed write since start-up). On failure
// prints "trailwatch: error: cannot write the output: <reason>" (unless `status` is already
// kExitOutputError, whose message was printed) and returns kExitOutputError;
// otherwise returns `status`.
int CheckStdout(int status);

// Loads the built-in pack (unless `no_builtin`) and the rule files or directories in `paths`.
// A user rule with the id of a built-in replaces it. `with_tests`: keep the built-in rules'
// inline tests (rules test / lint need them; a scan does not).
[[nodiscard]] Result<std::vector<rules::Rule>> LoadRules(const std::vector<std::string>& paths,
                                                         bool no_builtin, bool with_tests);

// Parses argv into `app`. Returns -1 to go on, or the exit status to return now (help printed,
// or a usage error reported with a "did you mean" suggestion).
int ParseArgs(CLI::App& app, int argc, const char* const* argv);

// Prints "trailwatch: error: <message>" (and any further lines) to stderr.
void PrintError(const std::string& message);

// "<file>: <where>: <message>" for one damaged input, every part escaped for a terminal (file
// names, S3 keys and messages can quote attacker-controlled text). `where` is left out when empty.
std::string DescribeInputError(const pipeline::InputError& e);

// True when stdout / stderr is a terminal and NO_COLOR is unset.
bool StdoutIsColorTerminal();
bool StderrIsTerminal();

}  // namespace tw::cli
