#include "cli/state_command.h"

#include <cstdio>
#include <thread>

#include "aws/dynamodb_state_store.h"
#include "aws/service_clients.h"
#include "cli/cli_util.h"
#include "common/clock.h"
#include "common/strings.h"
#include "config/config.h"
#include "rules/diagnostic.h"
#include "state/sqlite/sqlite_state_store.h"

namespace tw::cli {

CLI::App* AddStateCommand(CLI::App& app, StateArgs& args, std::string& which) {
  CLI::App* cmd = app.add_subcommand("state", "Prepare the state store of a config");
  cmd->require_subcommand(1);
  CLI::App* init = cmd->add_subcommand(
      "init", "Create the DynamoDB table (with TTL) or the SQLite file the config names");
  init->add_option("--config", args.config, "The config file")->type_name("FILE")->required();
  init->callback([&which] { which = "init"; });
  return cmd;
}

int RunState(const StateArgs& args, const std::string& which) {
  if (which != "init") return kExitUsage;
  auto cfg = config::LoadConfig(args.config);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", rules::FormatDiagnostics(cfg.error()).c_str());
    return kExitUsage;
  }
  SystemClock clock;
  if (cfg->state.type == "sqlite") {
    auto store = state::SqliteStateStore::Open(cfg->state.path, clock);
    if (!store) {
      PrintError(store.error().message);
      return kExitInputError;
    }
    std::printf("SQLite state ready: %s\n", EscapeForTerminal(cfg->state.path).c_str());
    return kExitOk;
  }
  auto setup = aws::DefaultAwsSetup(clock);
  if (!setup) {
    PrintError(setup.error().message);
    return kExitInputError;
  }
  auto db = aws::MakeDynamoDbClient(*setup, clock);
  if (!db) {
    PrintError(db.error().message);
    return kExitInputError;
  }
  auto created = aws::InitStateTable(**db, cfg->state.table,
                                     [] { std::this_thread::sleep_for(std::chrono::seconds(1)); });
  if (!created) {
    PrintError(created.error().message);
    return kExitInputError;
  }
  std::printf("DynamoDB table %s %s, TTL on %s\n", EscapeForTerminal(cfg->state.table).c_str(),
              *created ? "created" : "already existed", aws::kStateTtlAttribute);
  return kExitOk;
}

}  // namespace tw::cli
