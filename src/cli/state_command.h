// `trailwatch state init --config FILE`: prepares the shared state a config names.
//
// For `state: {type: dynamodb, table: T}` it creates table T (string partition key "pk",
// on-demand billing) unless it exists, waits until it is ACTIVE, and enables TTL on
// "expires_at" (aws/dynamodb_state_store.h), with the AWS credentials, region and endpoints of
// the environment (docs/aws.md). It is idempotent: run twice, it says the table was there. For
// `type: sqlite` it opens (creating and migrating) the SQLite file. Exit 0 when ready, 1 when AWS
// or the file refused (the message names why), 2 for a bad config.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tw::cli {

struct StateArgs {
  std::string config;
};

CLI::App* AddStateCommand(CLI::App& app, StateArgs& args, std::string& which);
int RunState(const StateArgs& args, const std::string& which);

}  // namespace tw::cli
