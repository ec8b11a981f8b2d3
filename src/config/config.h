// Config: the daemon's YAML configuration (`trailwatch watch --config FILE`, `scan --config`),
// parsed and checked in full before anything runs.
//
// ParseConfig reads the whole file into a Config, or returns every problem it finds as positioned
// diagnostics (file:line:col, the line with a caret, a hint; unknown keys get "did you mean").
// Before the structure is read, every scalar value goes through `${NAME}` interpolation from the
// environment (`$${` is a literal `${`; an unset variable is an error naming it). Every secret
// (`webhook_url`, `token`, `hmac_secret`, `firehose_access_key`) may instead be given as
// `<key>_file:`, a file whose content, less its trailing newline, is the value. A secret's value
// never appears in a diagnostic: errors about it name the key, and their excerpt is left out.
//
// Relative paths (rules, state, files read or written, *_file secrets, TLS files) are resolved
// against `base_dir`, the config file's folder for LoadConfig, so that a reload does not depend
// on the working directory. docs/config.md documents every key; ExampleConfig() is a commented
// config that uses every one of them.
//
// Rule ids named in the config (overrides, sinks' rules/exclude_rules/dm_rules) can only be
// checked once the rule set is loaded: ValidateOverrides does that, separately.
//
// Thread-safety: the functions are reentrant; a Config is a plain value, immutable once built and
// safe to share (pipeline swaps a whole new one in on SIGHUP).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/error.h"
#include "rules/diagnostic.h"
#include "rules/policy.h"
#include "rules/severity.h"

namespace tw::config {

// A secret value and where it came from ("`token` in trailwatch.yml:12", "file
// /etc/trailwatch/token"), for log lines that must name a secret without showing it.
struct Secret {
  std::string value;
  std::string origin;

  bool empty() const { return value.empty(); }
  // Equal values are the same secret wherever they came from (a reload compares configs).
  bool operator==(const Secret& other) const { return value == other.value; }
};

// `state:`. `sqlite` (the default) keeps everything in the file at `path`. `dynamodb` shares the
// dedupe/threshold windows and the alert claims in DynamoDB table `table` across workers; each
// worker keeps its outbox and checkpoints in its own SQLite file at `path` (docs/state.md).
struct StateConfig {
  std::string type = "sqlite";
  std::string path = "trailwatch.db";  // resolved against base_dir
  std::string table;                   // `type: dynamodb` only (required there)
};

// `sources:` items.
struct DirSourceConfig {
  std::string path;  // resolved against base_dir
  // How often to rescan when inotify is unavailable or as a safety net; default 2s.
  std::chrono::seconds poll_interval{2};

  bool operator==(const DirSourceConfig&) const = default;
};
struct StdinSourceConfig {
  bool operator==(const StdinSourceConfig&) const = default;
};
struct HttpSourceConfig {
  std::string host = "127.0.0.1";  // `listen: "host:port"`; the host defaults to 127.0.0.1
  int port = 8088;                 // 0: any free port
  Secret token;                    // bearer token (`token` / `token_file`); may be empty if
  Secret firehose_access_key;      // ... an access key is set (at least one is)
  // Bytes; a larger body is answered 413. 64 MiB: Firehose's largest body before compression,
  // and Firehose treats a 413 as permanent (docs/sources.md).
  int64_t max_body = int64_t{64} << 20;
  std::string tls_cert_file;  // both or neither; resolved against base_dir
  std::string tls_key_file;

  bool operator==(const HttpSourceConfig&) const = default;
};
// `{type: s3, bucket: B, prefix: AWSLogs/, lookback: 2d, interval: 60s}`: polls the CloudTrail
// day folders of the last `lookback` (sources/s3/s3_poll_source.h).
struct S3SourceConfig {
  std::string bucket;
  std::string prefix = "AWSLogs/";
  std::chrono::seconds lookback{2 * 86400};
  std::chrono::seconds interval{60};
  std::vector<std::string> accounts;  // empty: every account found
  std::vector<std::string> regions;   // empty: every region found
  bool path_style = false;

  bool operator==(const S3SourceConfig&) const = default;
};
// `{type: sqs, queue_url: URL}`: S3/SNS/EventBridge notifications from an SQS queue.
struct SqsSourceConfig {
  std::string queue_url;                            // http(s) URL of the queue
  std::chrono::seconds wait{20};                    // long poll, 0..20 s
  std::chrono::seconds visibility_timeout{120};     // asked at receive, renewed while working
  std::optional<std::chrono::seconds> retry_delay;  // a failed message returns after this
  bool path_style = false;                          // S3 path-style addressing for the objects

  bool operator==(const SqsSourceConfig&) const = default;
};
using SourceSettings = std::variant<DirSourceConfig, StdinSourceConfig, HttpSourceConfig,
                                    S3SourceConfig, SqsSourceConfig>;

struct SourceConfig {
  std::string type;  // "dir", "stdin", "http", "s3", "sqs"
  SourceSettings settings;
  rules::SourceLocation where;

  // Same type and settings (the place in the file is not compared).
  bool SameAs(const SourceConfig& other) const {
    return type == other.type && settings == other.settings;
  }
};

// `sinks:` items.
struct SlackSinkConfig {
  Secret webhook_url;

  bool operator==(const SlackSinkConfig&) const = default;
};
struct SlackApiSinkConfig {
  Secret token;
  std::string channel;
  std::string api_url = "https://slack.com/api";  // no trailing slash
  std::vector<std::string> dm_rules;  // rule ids whose alerts also go to the actor by DM

  bool operator==(const SlackApiSinkConfig&) const = default;
};
struct WebhookSinkConfig {
  std::string url;
  Secret hmac_secret;                                        // empty: no signature header
  std::vector<std::pair<std::string, std::string>> headers;  // in file order

  bool operator==(const WebhookSinkConfig&) const = default;
};
enum class OutputFormat { kText, kJson };
struct StdoutSinkConfig {
  OutputFormat format = OutputFormat::kText;

  bool operator==(const StdoutSinkConfig&) const = default;
};
struct FileSinkConfig {
  std::string path;   // NDJSON, appended; resolved against base_dir
  bool fsync = true;  // `fsync: always` (default) | `never`

  bool operator==(const FileSinkConfig&) const = default;
};
using SinkSettings = std::variant<SlackSinkConfig, SlackApiSinkConfig, WebhookSinkConfig,
                                  StdoutSinkConfig, FileSinkConfig>;

struct SinkConfig {
  std::string type;  // "slack", "slack_api", "webhook", "stdout", "file"
  // Unique among the sinks: the explicit `name:`, else the type for the first sink of a type,
  // then "<type>#2", "<type>#3"... Outbox rows and metrics are keyed by it.
  std::string name;
  rules::Severity min_severity = rules::Severity::kInfo;
  std::vector<std::string> rules;          // empty: every rule
  std::vector<std::string> exclude_rules;  // applied after `rules`
  // Delivery, for every sink type (sinks/outbox/delivery_loop.h):
  std::chrono::seconds min_interval{0};  // pacing: at least this long between two deliveries
  int max_attempts = 0;                  // 0: retry forever; N: dead-letter after N failures
  // HTTP sinks (slack, slack_api, webhook) only: the whole request, connect included (the
  // connect itself is given at most 5 s).
  std::chrono::seconds timeout{15};
  SinkSettings settings;
  rules::SourceLocation where;

  // Same type, name, filter, delivery and settings (the place in the file is not compared).
  bool SameAs(const SinkConfig& other) const {
    return type == other.type && name == other.name && min_severity == other.min_severity &&
           rules == other.rules && exclude_rules == other.exclude_rules &&
           min_interval == other.min_interval && max_attempts == other.max_attempts &&
           timeout == other.timeout && settings == other.settings;
  }
};

// One `overrides:` entry.
struct RuleOverride {
  std::string rule_id;
  rules::PolicyLayer policy;
  rules::SourceLocation where;  // the id key
};

// A rule id named somewhere in the config, kept with its place for ValidateOverrides.
struct RuleIdReference {
  std::string id;
  rules::SourceLocation where;
  std::string excerpt;  // the config's line there
  std::string what;     // "override", "`rules` of sink `slack`", ...
};

struct Config {
  std::string display_name;  // as given to ParseConfig
  std::string base_dir;      // relative paths were resolved against it ("" = working directory)
  // timezone (IANA name; default UTC), business_hours, account_names.
  rules::GlobalPolicy global;
  StateConfig state;
  std::vector<std::string> rule_paths;  // `rules:`, resolved against base_dir
  bool builtin_rules = true;
  // `packs: {name: bool}`, kept as given. A rule whose pack is switched off is not evaluated,
  // unless its `overrides:` entry sets `enabled: true` (PackEnabled, pipeline::BuildProcessing).
  std::vector<std::pair<std::string, bool>> packs;
  std::vector<RuleIdReference> pack_references;  // the pack names, for ValidatePacks
  rules::PolicyLayer defaults;                   // `defaults:`
  std::vector<RuleOverride> overrides;           // `overrides:`, in file order
  std::chrono::seconds shutdown_grace{10};
  std::vector<SourceConfig> sources;
  std::vector<SinkConfig> sinks;
  std::vector<RuleIdReference> rule_references;  // every rule id the config names

  // False when `packs:` switches `pack` off (the last mention wins); true otherwise.
  bool PackEnabled(std::string_view pack) const;
  // The override for `rule_id`, or nullptr.
  const RuleOverride* FindOverride(std::string_view rule_id) const;
  // The effective policy of a rule, given its own policy and keys (rules::Rule::policy,
  // policy_keys): built-in defaults < `defaults:` < the rule's YAML < `overrides:`.
  rules::RulePolicy PolicyFor(std::string_view rule_id, const rules::RulePolicy& rule_policy,
                              const rules::PolicyKeys& rule_keys) const;
};

// Looks an environment variable up: its value, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// Where IANA time zones are looked up by default.
inline constexpr std::string_view kZoneInfoDir = "/usr/share/zoneinfo";

// Limits: a config file, and a *_file secret, larger than these are rejected.
inline constexpr size_t kMaxConfigBytes = 1u << 20;
inline constexpr size_t kMaxSecretFileBytes = 64u << 10;

struct ParseOptions {
  std::string base_dir;  // relative paths are resolved against it; "" = working directory
  std::string zoneinfo_dir = std::string(kZoneInfoDir);
};

// Parses the config `text`, reported as `display_name`. On failure: every diagnostic, in file
// order (never empty).
[[nodiscard]] tl::expected<Config, std::vector<rules::Diagnostic>> ParseConfig(
    std::string_view text, std::string_view display_name, const EnvLookup& env,
    const ParseOptions& options = {});

// Reads and parses the file at `path` with the process environment; relative paths resolve
// against its folder. A file that cannot be read is one diagnostic without a line.
[[nodiscard]] tl::expected<Config, std::vector<rules::Diagnostic>> LoadConfig(
    const std::string& path);

// Checks every rule id the config names (rule_references) against `known_rule_ids` (the loaded
// rule set). One diagnostic per unknown id, with a did-you-mean hint. Empty: all known.
std::vector<rules::Diagnostic> ValidateOverrides(const Config& config,
                                                 const std::vector<std::string>& known_rule_ids);

// Checks every pack name under `packs:` against `known_packs` (the packs of the loaded rules:
// the built-in files' names and the user rule files' names). One diagnostic per unknown name,
// with a did-you-mean hint. Empty: all known.
std::vector<rules::Diagnostic> ValidatePacks(const Config& config,
                                             const std::vector<std::string>& known_packs);

// A commented config that shows every option (the seed's business hours, Mon-Fri 08:00-22:00,
// Asia/Seoul); `trailwatch config example` prints it and deploy/trailwatch.example.yml is the same
// text. It is valid once what it refers to exists: the environment variables in
// ExampleEnvironment() and the files in ExampleSecretFiles() (relative to the config's folder).
std::string_view ExampleConfig();
const std::vector<std::string>& ExampleEnvironment();
const std::vector<std::string>& ExampleSecretFiles();

}  // namespace tw::config
