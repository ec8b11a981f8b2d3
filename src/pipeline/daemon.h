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
//
// Reload(config, rules) (SIGHUP) is atomic over the whole config: it first builds everything the
// new config needs (the rules and the stage chain, every sink and source that is new or whose
// settings changed) while the old runtime keeps running. Any error there (a bad policy, a file
// sink that cannot be opened, a port in use ...) rejects the reload with its message and changes
// nothing. Otherwise it swaps, between two batches:
//   1. sources that were removed or changed stop reading; the batches they hold are finished and
//      committed with the old policy (nothing already read is dropped);
//   2. the stage chain and the set of sinks the pipeline writes outbox rows for are replaced;
//   3. the delivery loops of removed or changed sinks stop after their request in flight (bounded
//      by the sink's timeout), and the new sinks' loops start; the outbox lives in SQLite and is
//      keyed by sink name, so a sink of the same name picks up every row still pending for it
//      (a removed sink's rows stay pending until a sink of that name returns);
//   4. the rule set is replaced, and new or changed sources start reading.
// Sinks and sources whose config is unchanged keep running untouched (a Slack sink paused by a
// Retry-After stays paused); file sinks are reopened (logrotate). A changed `http` source on the
// same address must release its port first, so it is the one part built after the swap: should
// it then fail, the old one is rebuilt and the failure reported. A change of `state:` (type or
// path) is refused as a whole: the store cannot be switched under running sinks; restart.
// `shutdown_grace` takes effect from the reload on.
//
// Ownership: the daemon owns everything it builds; the clock is borrowed and must outlive it.
// Thread-safety: Run on one thread; Tick, Reload and Drain from another (the signal thread).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
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
  // False when a delivery was still in flight at the deadline (a server that hangs): its loop
  // is left running, and the caller should exit the process without destroying the daemon
  // (the row stays pending; DeliveryLoop::StopBy).
  [[nodiscard]] bool Drain(Clock::MonoTime deadline);

  // What a reload did: a one-line summary, and (rarely) a problem met after the swap: a changed
  // http source on the same address that could not start (the old one is rebuilt if it can).
  struct ReloadResult {
    std::string summary;
    std::string problem;  // empty: none
  };
  // Replaces the running config with `next_config` and `rules` (see the header comment).
  // Errors (nothing changed): kInvalidArgument for a changed `state:`; otherwise the error of
  // the first part that could not be built (BuildProcessing, BuildSink, BuildSource), prefixed
  // with the sink's or source's name.
  [[nodiscard]] Result<ReloadResult> Reload(const config::Config& next_config,
                                            std::vector<rules::Rule> rules);

  size_t rule_count() const;
  size_t sink_count() const;
  size_t source_count() const;
  // The running config (the last one loaded or reloaded). Call from the reloading thread.
  const config::Config& config() const { return config_; }
  state::StateStore& state() { return *state_; }

 private:
  Daemon(const config::Config& config, Clock& clock, DaemonOptions options);
  class Notifier;
  // A sink with its config and its delivery loop.
  struct SinkSlot {
    config::SinkConfig config;
    std::unique_ptr<sinks::Sink> sink;
    std::unique_ptr<sinks::outbox::DeliveryLoop> loop;
  };
  // A source (owned by the pipeline) with its config.
  struct SourceSlot {
    config::SourceConfig config;
    sources::Source* source = nullptr;
  };

  // A sink and its (not started) loop for `config`.
  Result<SinkSlot> MakeSinkSlot(const config::SinkConfig& config);
  void NotifyLoops();

  config::Config config_;
  Clock& clock_;
  DaemonOptions options_;
  std::unique_ptr<state::StateStore> state_;
  mutable std::mutex sinks_mu_;  // guards sinks_ (the notifier reads it under the commit lock)
  std::vector<SinkSlot> sinks_;
  std::vector<SourceSlot> sources_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<Pipeline> pipeline_;
  std::shared_ptr<const rules::RuleSet> rules_;
  bool started_ = false;
};

}  // namespace tw::pipeline
