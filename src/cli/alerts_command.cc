#include "cli/alerts_command.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <optional>

#include "cli/cli_util.h"
#include "common/clock.h"
#include "common/strings.h"
#include "config/config.h"
#include "rules/diagnostic.h"
#include "state/sqlite/sqlite_state_store.h"

namespace tw::cli {
namespace {

void AddStoreOptions(CLI::App* cmd, AlertsArgs& args) {
  auto* config = cmd->add_option("--config", args.config, "Use the state file of this config")
                     ->type_name("FILE");
  cmd->add_option("--state", args.state, "The state file (SQLite)")
      ->type_name("PATH")
      ->excludes(config);
}

// The state path from --state or the config's state.path; empty after printing an error.
std::string StatePath(const AlertsArgs& args) {
  if (!args.state.empty()) return args.state;
  if (args.config.empty()) {
    PrintError("give --config FILE or --state PATH");
    return {};
  }
  auto cfg = config::LoadConfig(args.config);
  if (!cfg) {
    std::fprintf(stderr, "%s\n", rules::FormatDiagnostics(cfg.error()).c_str());
    return {};
  }
  return cfg->state.path;
}

std::string Iso(Clock::WallTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

// One table cell: escaped for the terminal, cut to `width` characters of the escaped text.
std::string Cell(std::string_view s, size_t width) {
  std::string e = EscapeForTerminal(s);
  for (char& c : e) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (e.size() > width) e = e.substr(0, width - 3) + "...";
  return e;
}

int List(const AlertsArgs& args, state::StateStore& store) {
  std::optional<state::OutboxState> which;
  if (args.pending) which = state::OutboxState::kPending;
  if (args.failed) which = state::OutboxState::kFailed;
  if (args.suppressed) which = state::OutboxState::kSuppressed;
  if (args.delivered) which = state::OutboxState::kDelivered;
  auto rows = store.ListRows(which, static_cast<size_t>(args.limit));
  if (!rows) {
    PrintError(rows.error().message);
    return kExitInputError;
  }
  std::string out;
  if (args.format == "json") {
    for (const state::OutboxRow& r : *rows) {
      out += fmt::format(
          "{{\"row\":{},\"alert_id\":{},\"sink\":{},\"rule_id\":{},\"severity\":{},\"state\":{},"
          "\"attempts\":{},\"created\":{},\"next_due\":{},\"delivered_at\":{},\"last_error\":{},"
          "\"sink_ref\":{}}}\n",
          r.row_id, JsonString(r.alert_id), JsonString(r.sink), JsonString(r.rule_id),
          JsonString(r.severity), JsonString(state::OutboxStateName(r.state)), r.attempts,
          JsonString(Iso(r.created)), JsonString(Iso(r.next_due)),
          r.delivered_at ? JsonString(Iso(*r.delivered_at)) : std::string("null"),
          JsonString(r.last_error), JsonString(r.sink_ref));
    }
  } else {
    out += fmt::format("{:<10} {:<32} {:<12} {:<30} {:<8} {:>3} {:<20} {}\n", "STATE", "ALERT ID",
                       "SINK", "RULE", "SEVERITY", "TRY", "CREATED", "LAST ERROR");
    for (const state::OutboxRow& r : *rows) {
      out += fmt::format("{:<10} {:<32} {:<12} {:<30} {:<8} {:>3} {:<20} {}\n",
                         state::OutboxStateName(r.state), Cell(r.alert_id, 32), Cell(r.sink, 12),
                         Cell(r.rule_id, 30), Cell(r.severity, 8), r.attempts, Iso(r.created),
                         Cell(r.last_error, 80));
    }
    if (rows->empty()) out = "no outbox rows\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int Retry(const AlertsArgs& args, state::StateStore& store, const Clock& clock) {
  if (args.all_failed == !args.id.empty()) {
    PrintError("give an alert ID or --all-failed");
    return kExitUsage;
  }
  auto n = store.Retry(args.all_failed ? std::string() : args.id, clock.Now());
  if (!n) {
    PrintError(n.error().message);
    return kExitInputError;
  }
  std::printf("%lld row%s back to pending\n", static_cast<long long>(*n), *n == 1 ? "" : "s");
  return *n > 0 ? kExitOk : kExitInputError;
}

}  // namespace

CLI::App* AddAlertsCommand(CLI::App& app, AlertsArgs& args, std::string& which) {
  CLI::App* cmd = app.add_subcommand("alerts", "Inspect and retry the delivery outbox");
  cmd->require_subcommand(1);
  CLI::App* list = cmd->add_subcommand("list", "List outbox rows, newest first");
  auto* p = list->add_flag("--pending", args.pending, "Only rows waiting for delivery");
  auto* f =
      list->add_flag("--failed", args.failed, "Only dead letters (a 4xx, kept with its body)");
  auto* s = list->add_flag("--suppressed", args.suppressed, "Only suppressed alerts");
  auto* d = list->add_flag("--delivered", args.delivered, "Only delivered rows");
  p->excludes(f)->excludes(s)->excludes(d);
  f->excludes(s)->excludes(d);
  s->excludes(d);
  list->add_option("--format", args.format, "text (a table) or json (one row per line)")
      ->check(CLI::IsMember({"text", "json"}));
  list->add_option("--limit", args.limit, "At most this many rows")->check(CLI::Range(1, 1000000));
  AddStoreOptions(list, args);
  list->callback([&which] { which = "list"; });
  CLI::App* retry = cmd->add_subcommand("retry", "Send dead-lettered alerts again");
  retry->add_option("ID", args.id, "The alert id (alerts list shows it)");
  retry->add_flag("--all-failed", args.all_failed, "Every dead-lettered row");
  AddStoreOptions(retry, args);
  retry->callback([&which] { which = "retry"; });
  return cmd;
}

int RunAlerts(const AlertsArgs& args, const std::string& which) {
  const std::string path = StatePath(args);
  if (path.empty()) return kExitUsage;
  SystemClock clock;
  auto store = state::SqliteStateStore::Open(path, clock);
  if (!store) {
    PrintError(path + ": " + store.error().message);
    return kExitUsage;
  }
  if (which == "retry") return Retry(args, **store, clock);
  return List(args, **store);
}

}  // namespace tw::cli
