// `trailwatch lambda`: trailwatch as an AWS Lambda custom runtime (provided.al2023).
//
// The zip's `bootstrap` is the trailwatch binary itself: main() runs this command whenever
// AWS_LAMBDA_RUNTIME_API is set, whatever argv says. It loops over the Runtime API
// (sources/lambda/runtime_api.h): next event -> pipeline::LambdaHandler -> response or error.
//
// Configuration, from the environment (docs/lambda.md):
//   TRAILWATCH_CONFIG      a config file (docs/config.md), usually inside the package
//                          ($LAMBDA_TASK_ROOT/trailwatch.yml); `${NAME}` in it reads the
//                          environment. Its `sources:` and `state:` are ignored here.
//   SLACK_WEBHOOK_URL      without TRAILWATCH_CONFIG: one Slack webhook sink; with neither, the
//                          alerts go to stdout as JSON (CloudWatch Logs).
//   TRAILWATCH_RESERVE_MS  time kept back before the deadline to answer (default 1000).
//   NAME_SECRET_ARN        for any NAME (SLACK_WEBHOOK_URL_SECRET_ARN ...): NAME is set to that
//                          Secrets Manager secret's SecretString at start-up, before the config
//                          is read, and kept while the environment is warm.
// A config that does not load is posted to /runtime/init/error (Trailwatch.BadConfig) and the
// process exits 2.
//
// Logs go to stderr, one JSON object per line: a cold-start line (`init_ms`: from main() to
// the first `next` call) and one line per invocation (request id, shape, items, events, alerts,
// delivered, failed items, outcome, duration_ms: from the event's arrival to the answer being
// ready, delivery included; answer_ms: posting the answer). Never a secret, never event text
// unescaped.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>

namespace tw::cli {

struct LambdaArgs {
  std::string runtime_api;  // --runtime-api, else AWS_LAMBDA_RUNTIME_API
  // When main() started (for the cold-start line).
  std::chrono::steady_clock::time_point process_start = std::chrono::steady_clock::now();
};

CLI::App* AddLambdaCommand(CLI::App& app, LambdaArgs& args);
// Runs the loop until the Runtime API goes away. Exit 1 when it does (Lambda then restarts the
// environment), 2 for a bad configuration.
int RunLambda(const LambdaArgs& args);

}  // namespace tw::cli
