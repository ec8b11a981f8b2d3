// Daemon: everything `trailwatch watch` runs, built from a config::Config, plus the pieces
// `scan --config` shares with it (the rule set, the policy table and the stage chain).
//
// Building, in order (Daemon::Create):
//   1. Processing (BuildProcessing): the loaded rules with the config's policy applied per rule
//      (rules::ResolvePolicy via Config::PolicyFor: built-in defaults < `defaults:` < the rule's
//      YAML < `overrides:`); disabled rules are removed, severity overrides are written into the
//      rule, and the policy table and the stage chain
//      enrich -> schedule -> suppress -> threshold -> dedupe (docs/alerting.md) are built on it;
//   2. the state store (OpenStateStore): SQLite at `state.path`, wrapped for `type: dynamodb`;
//   3. the sources and the sinks, each through one explicit registry table (kSourceFactories,
//      kSinkFactories in daemon.cc: type name -> build function; no static initialisers);
//   4. one outbox::DeliveryLoop per sink, decoding rows with alert::DecodeAlert;
//   5. the Pipeline, encoding outbox payloads with alert::EncodeAlert, and notifying the delivery
//      loops after every committed batch.
//
// Run(stop) starts the delivery loops and runs the pipeline until `stop` is set or every source
// is exhausted (stdin at end of file); Tick() is for the caller's periodic timer. Drain(deadline)
// stops the delivery loops, delivering what is due until the deadline (shutdown_grace).
// Reload(processing) swaps the rule set and the stage chain (with its policy table) between two
// batches, atomically with respect to the batches (Pipeline::SetStages takes the commit lock),
// and reopens the sinks' files (logrotate). Sources, sinks and the state path are NOT changed
// by a reload: a reload that changes them is refused with a message (restart instead), so that
// nothing already read is dropped.
//
// Ownership: the daemon owns everything it builds; the clock is borrowed and must outlive it.
// Thread-safety: Run on one thread; Tick, Reload and Drain from another (the signal thread).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "alert/policy_table.h"
#include "alert/stage.h"
#include "common/clock.h"
#include "common/error.h"
#include "config/config.h"
#include "pipeline/pipeline.h"
#include "rules/rule.h"
#include "rules/rule_set.h"
#include "sinks/outbox/delivery_loop.h"
#include "sinks/sink.h"
#include "sources/source.h"
#include "state/state_store.h"

namespace tw::pipeline {

// The rule-dependent part of a run: what a SIGHUP replaces.
struct Processing {
  std::shared_ptr<const rules::RuleSet> rules;
  std::shared_ptr<const alert::PolicyTable> policies;
  std::vector<std::unique_ptr<alert::Stage>> stages;
  size_t disabled_rules = 0;  // removed by `enabled: false`
};

// Which stages a chain has. `watch` and `scan --config` run all of them; plain `scan` runs
// schedule and threshold only (a rule's own YAML policy is part of its meaning), with no
// enrichment and no dedupe, so that a plain scan reports each matching event once.
struct StageSelection {
  bool enrich = true;
  bool schedule = true;
  bool suppress = true;
  bool threshold = true;
  bool dedupe = true;
};

// The chain enrich -> schedule -> suppress -> threshold -> dedupe over `policies`.
// Errors: kInvalidArgument from a stage's Create (bad time zone, bad suppress regex ...).
[[nodiscard]] Result<std::vector<std::unique_ptr<alert::Stage>>> BuildStages(
    const rules::GlobalPolicy& global, std::shared_ptr<const alert::PolicyTable> policies,
    const StageSelection& selection);

// Applies `config`'s policy to `rules` (see the header comment) and builds the chain.
// Errors: kInvalidArgument for a policy that cannot run (PolicyTable::Create) or a stage error;
// kNotFound when every rule is disabled.
[[nodiscard]] Result<Processing> BuildProcessing(const config::Config& config,
                                                 std::vector<rules::Rule> rules,
                                                 const StageSelection& selection = {});

// Processing for plain `scan` (no config): each rule's own YAML policy with the default
// GlobalPolicy (UTC, Mon-Fri 08:00-22:00), dedupe off; schedule and threshold stages only.
[[nodiscard]] Result<Processing> BuildPlainScanProcessing(std::vector<rules::Rule> rules);

// The registries: a source or a sink from its config. kInvalidArgument for an unknown type (the
// config parser already rejects those) or options the component refuses; kIo when the
// component cannot start (a missing directory, a port in use, a file sink it cannot open).
[[nodiscard]] Result<std::unique_ptr<sources::Source>> BuildSource(
    const config::SourceConfig& source, state::StateStore* store, const Clock& clock);
[[nodiscard]] Result<std::unique_ptr<sinks::Sink>> BuildSink(const config::SinkConfig& sink,
                                                             const Clock& clock);
// The type names the registries know, in table order (docs, tests).
std::vector<std::string> SourceTypes();
std::vector<std::string> SinkTypes();

// The state store `state` names: SQLite at `state.path`; with `type: dynamodb`, that file
// wrapped in aws::DynamoDbStateStore (windows and alert claims in `state.table`).
[[nodiscard]] Result<std::unique_ptr<state::StateStore>> OpenStateStore(
    const config::StateConfig& state, Clock& clock);

struct DaemonOptions {
  // Shorter waits for tests and the demo; the loops' defaults otherwise.
  sinks::outbox::DeliveryLoopOptions delivery;
  BatchListener* listener = nullptr;  // also told of every batch (logging), borrowed
};

class Daemon {
 public:
  // Builds everything from `config` and the loaded `rules` (the caller loads them: built-in
  // pack unless builtin_rules is false, plus config.rule_paths). Errors: as the builders above,
  // and the state store's Open errors.
  [[nodiscard]] static Result<std::unique_ptr<Daemon>> Create(const config::Config& config,
                                                              std::vector<rules::Rule> rules,
                                                              Clock& clock,
                                                              DaemonOptions options = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts the delivery loops (once) and runs the pipeline until `stop` or until every source
  // is exhausted; the batches already read are finished and committed before it returns.
  [[nodiscard]] Result<void> Run(const std::atomic<bool>& stop);

  // Pipeline::Tick, then wakes the delivery loops.
  [[nodiscard]] Result<void> Tick();

  // Stops every delivery loop, each delivering what is due until `deadline` (Clock::Monotonic).
  void Drain(Clock::MonoTime deadline);

  // Swaps in rules and stages built from `next_config` (BuildProcessing); refuses (kInvalid
  // Argument, nothing changed) a config whose sources, sinks or state differ from the running
  // one's. Reopens the sinks' files either way.
  [[nodiscard]] Result<void> Reload(const config::Config& next_config,
                                    std::vector<rules::Rule> rules);

  size_t rule_count() const;
  const std::vector<std::unique_ptr<sinks::Sink>>& sinks() const { return sinks_; }
  state::StateStore& state() { return *state_; }

 private:
  Daemon(const config::Config& config, Clock& clock, DaemonOptions options);
  class Notifier;

  config::Config config_;
  Clock& clock_;
  DaemonOptions options_;
  std::unique_ptr<state::StateStore> state_;
  std::vector<std::unique_ptr<sinks::Sink>> sinks_;
  std::vector<std::unique_ptr<sinks::outbox::DeliveryLoop>> loops_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<Pipeline> pipeline_;
  std::shared_ptr<const rules::RuleSet> rules_;
  bool started_ = false;
};

}  // namespace tw::pipeline
