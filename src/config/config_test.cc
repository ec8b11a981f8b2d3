#include "config/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace tw::config {
namespace {

namespace fs = std::filesystem;
using rules::Diagnostic;
using rules::FormatDiagnostics;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A fresh folder under the temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("tw_config_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string path() const { return path_.string(); }
  std::string Write(const std::string& name, const std::string& content) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

tl::expected<Config, std::vector<Diagnostic>> Parse(const std::string& yaml,
                                                    std::map<std::string, std::string> env = {},
                                                    const std::string& base_dir = "") {
  ParseOptions options;
  options.base_dir = base_dir;
  return ParseConfig(yaml, "c.yml", FakeEnv(std::move(env)), options);
}

std::string Show(const tl::expected<Config, std::vector<Diagnostic>>& r) {
  return r ? std::string("(valid)") : FormatDiagnostics(r.error());
}

// "line:col: message" of the only diagnostic.
std::string One(const tl::expected<Config, std::vector<Diagnostic>>& r) {
  if (r) return "(valid)";
  if (r.error().size() != 1) return "several:\n" + FormatDiagnostics(r.error());
  const Diagnostic& d = r.error()[0];
  return d.where.ToString() + ": " + d.message;
}

TEST(ConfigTest, EmptyConfigHasTheDocumentedDefaults) {
  for (const char* text : {"", "# only a comment\n", "{}\n"}) {
    auto c = Parse(text);
    ASSERT_TRUE(c) << Show(c);
    EXPECT_EQ(c->global.timezone, "UTC");
    EXPECT_EQ(c->global.business_hours.days, (std::vector<int>{1, 2, 3, 4, 5}));
    EXPECT_EQ(c->global.business_hours.start_minute, 8 * 60);
    EXPECT_EQ(c->global.business_hours.end_minute, 22 * 60);
    EXPECT_EQ(c->state.type, "sqlite");
    EXPECT_EQ(c->state.path, "trailwatch.db");
    EXPECT_TRUE(c->builtin_rules);
    EXPECT_TRUE(c->rule_paths.empty());
    EXPECT_EQ(c->shutdown_grace, std::chrono::seconds(10));  // issue 7: default 10 s
    EXPECT_FALSE(c->defaults.keys.Any());
    EXPECT_TRUE(c->sources.empty());
    EXPECT_TRUE(c->sinks.empty());
  }
}

TEST(ConfigTest, TheIssueExample) {
  TempDir dir;
  dir.Write("token.txt", "http-token\n");
  dir.Write("bot-token.txt", "xoxb-1\r\n");
  dir.Write("hmac.txt", "s3cret");
  auto c = Parse(R"(timezone: Asia/Seoul
business_hours: {days: [mon, tue, wed, thu, fri], start: "08:00", end: "22:00", holidays: [2026-12-25]}
state: {path: trailwatch.db}
rules: [my-rules/]
defaults: {dedupe: {window: 15m}}
overrides:
  authorization-failure: {schedule: outside_business_hours}
  console-login-failure: {suppress: [{field: sourceIPAddress, cidr: [10.0.0.0/8]}]}
sources:
  - {type: dir, path: incoming/}
  - {type: stdin}
  - {type: http, listen: "127.0.0.1:8088", token_file: token.txt}
sinks:
  - {type: slack, webhook_url: "${SLACK_WEBHOOK_URL}"}
  - {type: slack_api, token_file: bot-token.txt, channel: "#security-alerts", api_url: "https://slack.com/api"}
  - {type: webhook, url: "https://example.com/hook", hmac_secret_file: hmac.txt}
  - {type: stdout, format: text}
  - {type: file, path: alerts.ndjson}
)",
                 {{"SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/X"}}, dir.path());
  ASSERT_TRUE(c) << Show(c);
  EXPECT_EQ(c->global.timezone, "Asia/Seoul");
  EXPECT_EQ(c->global.business_hours.holidays, std::vector<std::string>{"2026-12-25"});
  EXPECT_EQ(c->state.path, dir.path() + "/trailwatch.db");
  EXPECT_EQ(c->rule_paths, std::vector<std::string>{dir.path() + "/my-rules/"});
  EXPECT_TRUE(c->defaults.keys.dedupe_window);
  EXPECT_EQ(c->defaults.values.dedupe.window, std::chrono::minutes(15));
  ASSERT_EQ(c->overrides.size(), 2u);
  EXPECT_EQ(c->overrides[0].rule_id, "authorization-failure");
  EXPECT_EQ(c->overrides[0].policy.values.schedule, rules::Schedule::kOutsideBusinessHours);
  EXPECT_EQ(c->overrides[0].where.ToString(), "c.yml:7:3");
  EXPECT_EQ(c->overrides[1].policy.values.suppress.at(0).cidr,
            std::vector<std::string>{"10.0.0.0/8"});

  ASSERT_EQ(c->sources.size(), 3u);
  EXPECT_EQ(std::get<DirSourceConfig>(c->sources[0].settings).path, dir.path() + "/incoming/");
  EXPECT_EQ(std::get<DirSourceConfig>(c->sources[0].settings).poll_interval,
            std::chrono::seconds(2));
  EXPECT_TRUE(std::holds_alternative<StdinSourceConfig>(c->sources[1].settings));
  const auto& http = std::get<HttpSourceConfig>(c->sources[2].settings);
  EXPECT_EQ(http.host, "127.0.0.1");
  EXPECT_EQ(http.port, 8088);
  EXPECT_EQ(http.token.value, "http-token");  // trailing newline trimmed
  EXPECT_TRUE(http.firehose_access_key.empty());
  EXPECT_EQ(http.max_body, 64 << 20);  // Firehose's largest body (docs/sources.md)

  ASSERT_EQ(c->sinks.size(), 5u);
  EXPECT_EQ(c->sinks[0].name, "slack");
  EXPECT_EQ(std::get<SlackSinkConfig>(c->sinks[0].settings).webhook_url.value,
            "https://hooks.slack.com/services/T/B/X");
  const auto& api = std::get<SlackApiSinkConfig>(c->sinks[1].settings);
  EXPECT_EQ(api.token.value, "xoxb-1");  // \r\n trimmed
  EXPECT_EQ(api.channel, "#security-alerts");
  EXPECT_EQ(api.api_url, "https://slack.com/api");
  const auto& hook = std::get<WebhookSinkConfig>(c->sinks[2].settings);
  EXPECT_EQ(hook.url, "https://example.com/hook");
  EXPECT_EQ(hook.hmac_secret.value, "s3cret");
  EXPECT_EQ(std::get<StdoutSinkConfig>(c->sinks[3].settings).format, OutputFormat::kText);
  EXPECT_EQ(std::get<FileSinkConfig>(c->sinks[4].settings).path, dir.path() + "/alerts.ndjson");
  EXPECT_TRUE(std::get<FileSinkConfig>(c->sinks[4].settings).fsync);
  for (const SinkConfig& s : c->sinks) {
    EXPECT_EQ(s.min_severity, rules::Severity::kInfo);
    EXPECT_EQ(s.min_interval, std::chrono::seconds(0));
    EXPECT_EQ(s.max_attempts, 0);
    EXPECT_EQ(s.timeout, std::chrono::seconds(15));
  }
}

TEST(ConfigTest, SinkDeliveryKeys) {
  auto c = Parse(R"(sinks:
  - {type: slack, webhook_url: "http://127.0.0.1:1/s", min_interval: 1s, timeout: 3s}
  - {type: webhook, url: "http://127.0.0.1:1/h", max_attempts: 5, timeout: 1m}
  - {type: file, path: /tmp/a.ndjson, fsync: never, min_interval: 2s}
  - {type: stdout, max_attempts: 1}
)",
                 {}, "");
  ASSERT_TRUE(c) << Show(c);
  ASSERT_EQ(c->sinks.size(), 4u);
  EXPECT_EQ(c->sinks[0].min_interval, std::chrono::seconds(1));
  EXPECT_EQ(c->sinks[0].timeout, std::chrono::seconds(3));
  EXPECT_EQ(c->sinks[1].max_attempts, 5);
  EXPECT_EQ(c->sinks[1].timeout, std::chrono::seconds(60));
  EXPECT_FALSE(std::get<FileSinkConfig>(c->sinks[2].settings).fsync);
  EXPECT_EQ(c->sinks[2].min_interval, std::chrono::seconds(2));
  EXPECT_EQ(c->sinks[3].max_attempts, 1);
}

TEST(ConfigTest, SameAsIgnoresThePlaceInTheFileButNotTheSettings) {
  auto a = Parse(
      "sinks:\n  - {type: file, path: /tmp/a.ndjson}\n"
      "sources:\n  - {type: dir, path: /in}\n",
      {}, "");
  auto b = Parse(
      "\n\nsources:\n  - {type: dir, path: /in}\n"
      "sinks:\n  - {type: file, path: /tmp/a.ndjson}\n",
      {}, "");
  auto c = Parse(
      "sinks:\n  - {type: file, path: /tmp/a.ndjson, fsync: never}\n"
      "sources:\n  - {type: dir, path: /in, poll_interval: 3s}\n",
      {}, "");
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE(a->sinks[0].SameAs(b->sinks[0]));
  EXPECT_TRUE(a->sources[0].SameAs(b->sources[0]));
  EXPECT_FALSE(a->sinks[0].SameAs(c->sinks[0]));
  EXPECT_FALSE(a->sources[0].SameAs(c->sources[0]));
}

TEST(ValidatePacksTest, UnknownPackWithDidYouMean) {
  auto c = Parse("packs: {cis: false, rsd: false}\n", {}, "");
  ASSERT_TRUE(c) << Show(c);
  EXPECT_FALSE(c->PackEnabled("cis"));
  EXPECT_TRUE(c->PackEnabled("core"));  // not listed: on
  const std::vector<Diagnostic> d = ValidatePacks(*c, {"core", "cis", "rds", "cis"});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].where.ToString(), "c.yml:1:21");
  EXPECT_EQ(d[0].message, "unknown rule pack `rsd` in packs");
  EXPECT_EQ(d[0].hint, "did you mean `rds`?");
  EXPECT_TRUE(ValidatePacks(*c, {"cis", "rsd"}).empty());
}

TEST(ConfigTest, EveryRemainingKey) {
  TempDir dir;
  dir.Write("cert.pem", "c");
  dir.Write("key.pem", "k");
  dir.Write("fh.key", "firehose\n");
  auto c = Parse(R"(business_hours: {days: [sun, sat], start: "22:00", end: "06:00"}
state: {type: sqlite, path: /var/lib/trailwatch/state.db}
rules: one.yml
builtin_rules: false
packs: {cis: true, seed: false}
account_names: {"012345678901": prod}
shutdown_grace: 1m30s
sources:
  - {type: dir, path: /in, poll_interval: 5s}
  - type: http
    listen: ":9000"
    token: abc
    firehose_access_key_file: fh.key
    max_body: 2048
    tls: {cert_file: cert.pem, key_file: key.pem}
  - {type: http, listen: "[::1]:0", firehose_access_key: k}
sinks:
  - {type: stdout, format: json, min_severity: high, rules: [a-rule], exclude_rules: [b-rule]}
  - {type: stdout, name: second}
  - {type: stdout}
  - type: slack_api
    token: xoxb
    channel: C123
    api_url: "http://127.0.0.1:9/api/"
    dm_rules: [console-login-success]
  - {type: webhook, url: "http://127.0.0.1:1/h", headers: {X-Team: security, Authorization: "Bearer t"}}
)",
                 {}, dir.path());
  ASSERT_TRUE(c) << Show(c);
  EXPECT_EQ(c->global.business_hours.days, (std::vector<int>{6, 7}));
  EXPECT_EQ(c->global.business_hours.start_minute, 22 * 60);
  EXPECT_EQ(c->global.business_hours.end_minute, 6 * 60);
  EXPECT_EQ(c->state.path, "/var/lib/trailwatch/state.db");  // absolute: kept
  EXPECT_EQ(c->rule_paths, std::vector<std::string>{dir.path() + "/one.yml"});
  EXPECT_FALSE(c->builtin_rules);
  EXPECT_EQ(c->packs, (std::vector<std::pair<std::string, bool>>{{"cis", true}, {"seed", false}}));
  EXPECT_EQ(c->global.account_names,
            (std::vector<std::pair<std::string, std::string>>{{"012345678901", "prod"}}));
  EXPECT_EQ(c->shutdown_grace, std::chrono::seconds(90));
  EXPECT_EQ(std::get<DirSourceConfig>(c->sources[0].settings).poll_interval,
            std::chrono::seconds(5));
  const auto& http = std::get<HttpSourceConfig>(c->sources[1].settings);
  EXPECT_EQ(http.host, "127.0.0.1");
  EXPECT_EQ(http.port, 9000);
  EXPECT_EQ(http.token.value, "abc");
  EXPECT_EQ(http.firehose_access_key.value, "firehose");
  EXPECT_EQ(http.max_body, 2048);
  EXPECT_EQ(http.tls_cert_file, dir.path() + "/cert.pem");
  EXPECT_EQ(http.tls_key_file, dir.path() + "/key.pem");
  const auto& http6 = std::get<HttpSourceConfig>(c->sources[2].settings);
  EXPECT_EQ(http6.host, "::1");
  EXPECT_EQ(http6.port, 0);
  ASSERT_EQ(c->sinks.size(), 5u);
  EXPECT_EQ(c->sinks[0].name, "stdout");
  EXPECT_EQ(c->sinks[1].name, "second");
  EXPECT_EQ(c->sinks[2].name, "stdout#3");
  EXPECT_EQ(c->sinks[3].name, "slack_api");
  EXPECT_EQ(std::get<StdoutSinkConfig>(c->sinks[0].settings).format, OutputFormat::kJson);
  EXPECT_EQ(c->sinks[0].min_severity, rules::Severity::kHigh);
  EXPECT_EQ(c->sinks[0].rules, std::vector<std::string>{"a-rule"});
  EXPECT_EQ(c->sinks[0].exclude_rules, std::vector<std::string>{"b-rule"});
  const auto& api = std::get<SlackApiSinkConfig>(c->sinks[3].settings);
  EXPECT_EQ(api.api_url, "http://127.0.0.1:9/api");  // trailing slash dropped
  EXPECT_EQ(api.dm_rules, std::vector<std::string>{"console-login-success"});
  const auto& hook = std::get<WebhookSinkConfig>(c->sinks[4].settings);
  EXPECT_EQ(hook.headers, (std::vector<std::pair<std::string, std::string>>{
                              {"X-Team", "security"}, {"Authorization", "Bearer t"}}));
  EXPECT_TRUE(hook.hmac_secret.empty());
}

struct BadCase {
  const char* yaml;
  const char* expected;  // "c.yml:line:col: message"
  const char* hint;      // a substring of the hint ("" = not checked)
};

class ConfigErrorTest : public testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrorTest, PositionedDiagnostic) {
  const BadCase& bad = GetParam();
  auto c = Parse(bad.yaml, {{"SET", "x"}});
  EXPECT_EQ(One(c), bad.expected);
  if (!c && !c.error().empty()) {
    EXPECT_NE(c.error()[0].hint.find(bad.hint), std::string::npos) << c.error()[0].hint;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ConfigErrorTest,
    testing::Values(
        BadCase{"timezon: UTC\n", "c.yml:1:1: unknown key `timezon` in the config",
                "did you mean `timezone`?"},
        BadCase{"timezone: Asia/Seol\n", "c.yml:1:11: unknown time zone `Asia/Seol`", "IANA"},
        BadCase{"timezone: ../../etc/passwd\n", "c.yml:1:11: unknown time zone `../../etc/passwd`",
                ""},
        BadCase{"timezone: [UTC]\n", "c.yml:1:11: `timezone` must be a string, not a list", ""},
        BadCase{"business_hours: {days: [mon, tuesday]}\n", "c.yml:1:30: unknown day `tuesday`",
                ""},
        BadCase{"business_hours: {days: [mon, thr]}\n", "c.yml:1:30: unknown day `thr`",
                "did you mean `thu`?"},
        BadCase{"business_hours: {days: [mon, mon]}\n", "c.yml:1:30: day `mon` is listed twice",
                ""},
        BadCase{"business_hours: {start: \"8:00\"}\n",
                "c.yml:1:25: `start` must be a time \"HH:MM\" (24-hour)", ""},
        BadCase{"business_hours: {end: \"24:01\"}\n",
                "c.yml:1:23: `end` must be a time \"HH:MM\" (24-hour)", ""},
        BadCase{"business_hours: {start: \"08:00\", end: \"08:00\"}\n",
                "c.yml:1:39: business hours start and end at the same time", "24:00"},
        BadCase{"business_hours: {holidays: [2026-02-30]}\n",
                "c.yml:1:29: a holiday must be a date YYYY-MM-DD", ""},
        BadCase{"business_hours: {hours: 1}\n",
                "c.yml:1:18: unknown key `hours` in `business_hours`", "`days`"},
        BadCase{"business_hours: weekdays\n",
                "c.yml:1:17: `business_hours` must be a mapping, not a string", ""},
        BadCase{"state: {type: redis}\n", "c.yml:1:15: unsupported state type `redis`",
                "`sqlite` or `dynamodb`"},
        BadCase{"state: {type: dynamodb}\n", "c.yml:1:1: `state: {type: dynamodb}` needs `table`",
                "table: trailwatch-state"},
        BadCase{"state: {table: t}\n", "c.yml:1:9: `table` is for `type: dynamodb`", ""},
        BadCase{"sources:\n  - {type: sqs}\n", "c.yml:2:5: an `sqs` source needs `queue_url`",
                "queue_url"},
        BadCase{"sources:\n  - {type: sqs, queue_url: sqs.example}\n",
                "c.yml:2:28: `queue_url` must be an http:// or https:// URL", ""},
        BadCase{"sources:\n  - {type: sqs, queue_url: \"http://q\", wait: 30s}\n",
                "c.yml:2:46: `wait` is at most 20s (SQS's longest poll)", ""},
        BadCase{"sources:\n  - {type: sqs, queue_url: \"http://q\", visibility: 1s}\n",
                "c.yml:2:40: unknown key `visibility` in an `sqs` source", "visibility_timeout"},
        BadCase{"state: {pth: x.db}\n", "c.yml:1:9: unknown key `pth` in `state`",
                "did you mean `path`?"},
        BadCase{"rules: {a: b}\n",
                "c.yml:1:8: `rules` must be a string or a non-empty list of strings, not a mapping",
                ""},
        BadCase{"builtin_rules: yes\n", "c.yml:1:16: `builtin_rules` must be true or false", ""},
        BadCase{"packs: {cis: 1}\n", "c.yml:1:14: `cis` must be true or false", ""},
        BadCase{"sinks:\n  - {type: stdout, timeout: 5s}\n",
                "c.yml:2:20: unknown key `timeout` in a `stdout` sink", ""},
        BadCase{"sinks:\n  - {type: file, path: a, fsync: sometimes}\n",
                "c.yml:2:34: unknown fsync policy `sometimes`", ""},
        BadCase{"sinks:\n  - {type: stdout, max_attempts: -1}\n",
                "c.yml:2:34: `max_attempts` must be a whole number from 0 to 1000000", ""},
        BadCase{"sinks:\n  - {type: stdout, min_interval: 1}\n",
                "c.yml:2:34: invalid duration `1`: missing a unit (s, m, h or d)", ""},
        BadCase{"defaults: {dedupe: {window: 15}}\n",
                "c.yml:1:29: invalid duration `15`: missing a unit (s, m, h or d)", ""},
        BadCase{"defaults: {schedul: always}\n", "c.yml:1:12: unknown key `schedul` in `defaults`",
                "did you mean `schedule`?"},
        BadCase{"overrides:\n  some-rule: {schedule: outside_hours}\n",
                "c.yml:2:25: unknown schedule `outside_hours`", ""},
        BadCase{"overrides:\n  Some_Rule: {enabled: false}\n",
                "c.yml:2:3: an override's key must be a rule id", ""},
        BadCase{"overrides:\n  r: {enabled: false}\n  r: {enabled: true}\n",
                "c.yml:3:3: duplicate override for `r`", ""},
        BadCase{"account_names: {\"12345\": prod}\n", "c.yml:1:17: an account id is 12 digits", ""},
        BadCase{"shutdown_grace: 10\n",
                "c.yml:1:17: invalid duration `10`: missing a unit (s, m, h or d)", ""},
        BadCase{"sources: {type: stdin}\n", "c.yml:1:10: `sources` must be a list, not a mapping",
                ""},
        BadCase{"sources:\n  - {type: kinesis}\n", "c.yml:2:12: unknown source type `kinesis`",
                "`dir`"},
        BadCase{"sources:\n  - {type: stdn}\n", "c.yml:2:12: unknown source type `stdn`",
                "did you mean `stdin`?"},
        BadCase{"sources:\n  - {path: x}\n", "c.yml:2:5: source is missing required key `type`",
                ""},
        BadCase{"sources:\n  - {type: dir}\n",
                "c.yml:2:5: a `dir` source is missing required key `path`", ""},
        BadCase{"sources:\n  - {type: dir, path: x, poll: 1s}\n",
                "c.yml:2:26: unknown key `poll` in a `dir` source", ""},
        BadCase{"sources:\n  - {type: stdin, path: x}\n",
                "c.yml:2:19: unknown key `path` in a `stdin` source", ""},
        BadCase{"sources:\n  - {type: http, token: t, listen: \"localhost:99999\"}\n",
                "c.yml:2:36: invalid `listen` address `localhost:99999`", ""},
        BadCase{"sources:\n  - {type: http}\n",
                "c.yml:2:5: an `http` source needs `token`/`token_file` or "
                "`firehose_access_key`/`firehose_access_key_file`",
                ""},
        BadCase{"sources:\n  - {type: http, token: t, max_body: 10MB}\n",
                "c.yml:2:38: `max_body` must be a whole number from 1024 to 1073741824", ""},
        BadCase{"sources:\n  - {type: http, tokn: t}\n",
                "c.yml:2:18: unknown key `tokn` in an `http` source", "did you mean `token`?"},
        BadCase{"sinks:\n  - {type: slak}\n", "c.yml:2:12: unknown sink type `slak`",
                "did you mean `slack`?"},
        BadCase{"sinks:\n  - {type: slack}\n",
                "c.yml:2:5: missing `webhook_url` (or `webhook_url_file`)", ""},
        BadCase{"sinks:\n  - {type: slack, webhook_url: x, webhook_url_file: y}\n",
                "c.yml:2:35: give `webhook_url` or `webhook_url_file`, not both", ""},
        BadCase{"sinks:\n  - {type: slack_api, token: t}\n",
                "c.yml:2:5: a `slack_api` sink is missing required key `channel`", ""},
        BadCase{"sinks:\n  - {type: slack_api, token: t, channel: c, api_url: slack.com}\n",
                "c.yml:2:54: `api_url` must be an http:// or https:// URL without spaces", ""},
        BadCase{"sinks:\n  - {type: slack_api, token: t, channel: c, dm_rules: login}\n",
                "c.yml:2:55: `dm_rules` must be a list of rule ids, not a string", ""},
        BadCase{"sinks:\n  - {type: webhook}\n",
                "c.yml:2:5: a `webhook` sink is missing required key `url`", ""},
        BadCase{"sinks:\n  - {type: webhook, url: \"https://x\", headers: {\"Bad Header\": v}}\n",
                "c.yml:2:49: invalid HTTP header name", ""},
        BadCase{"sinks:\n  - {type: stdout, format: jsn}\n", "c.yml:2:28: unknown format `jsn`",
                "did you mean `json`?"},
        BadCase{"sinks:\n  - {type: stdout, min_severity: hihg}\n",
                "c.yml:2:34: unknown severity `hihg`", "did you mean `high`?"},
        BadCase{"sinks:\n  - {type: stdout, rules: [Bad]}\n",
                "c.yml:2:28: each item of `rules` must be a rule id", ""},
        BadCase{"sinks:\n  - {type: stdout, exclude_rule: [a]}\n",
                "c.yml:2:20: unknown key `exclude_rule` in a `stdout` sink",
                "did you mean `exclude_rules`?"},
        BadCase{"sinks:\n  - {type: file}\n",
                "c.yml:2:5: a `file` sink is missing required key `path`", ""},
        BadCase{"sinks:\n  - {type: stdout}\n  - {type: file, path: x, name: stdout}\n",
                "c.yml:3:33: duplicate sink name `stdout`", "give this one a `name:`"},
        BadCase{"timezone: \"${NOPE}\"\n", "c.yml:1:11: environment variable `NOPE` is not set",
                ""},
        BadCase{"timezone: \"${1X}\"\n",
                "c.yml:1:11: `${1X}` is not a valid environment variable name", ""},
        BadCase{"timezone: \"${SET\"\n", "c.yml:1:11: unclosed `${` in a value", ""},
        BadCase{"- a\n", "c.yml:1:1: a config is a mapping, not a list", ""},
        BadCase{"a: 1\n---\nb: 2\n", "c.yml: a config file holds one YAML document, not several",
                "---"}));

TEST(ConfigTest, SqsSourceAndDynamoDbState) {
  auto c = Parse(R"(state: {type: dynamodb, table: tw-state, path: /var/lib/tw/worker.db}
sources:
  - {type: sqs, queue_url: "https://sqs.eu-west-1.amazonaws.com/123456789012/ct",
     wait: 5s, visibility_timeout: 2m, retry_delay: 10s, path_style: true}
  - {type: sqs, queue_url: "http://127.0.0.1:5000/123456789012/q"}
)");
  ASSERT_TRUE(c) << (c ? "" : c.error()[0].message);
  EXPECT_EQ(c->state.type, "dynamodb");
  EXPECT_EQ(c->state.table, "tw-state");
  EXPECT_EQ(c->state.path, "/var/lib/tw/worker.db");
  ASSERT_EQ(c->sources.size(), 2u);
  const auto& a = std::get<SqsSourceConfig>(c->sources[0].settings);
  EXPECT_EQ(a.queue_url, "https://sqs.eu-west-1.amazonaws.com/123456789012/ct");
  EXPECT_EQ(a.wait, std::chrono::seconds(5));
  EXPECT_EQ(a.visibility_timeout, std::chrono::seconds(120));
  EXPECT_EQ(a.retry_delay, std::chrono::seconds(10));
  EXPECT_TRUE(a.path_style);
  const auto& b = std::get<SqsSourceConfig>(c->sources[1].settings);
  EXPECT_EQ(b.wait, std::chrono::seconds(20));  // documented defaults
  EXPECT_EQ(b.visibility_timeout, std::chrono::seconds(120));
  EXPECT_FALSE(b.retry_delay.has_value());
  EXPECT_FALSE(b.path_style);
}

TEST(ConfigTest, InvalidYamlIsOneDiagnostic) {
  auto c = Parse("sinks: [\n");
  ASSERT_FALSE(c);
  ASSERT_EQ(c.error().size(), 1u);
  EXPECT_EQ(c.error()[0].message.rfind("invalid YAML: ", 0), 0u) << c.error()[0].message;
}

TEST(ConfigTest, MissingTlsFilesAreReported) {
  auto c = Parse(
      "sources:\n  - {type: http, token: t, tls: {cert_file: /nonexistent/c.pem, key_file: "
      "/nonexistent/k.pem}}\n");
  ASSERT_FALSE(c);
  ASSERT_EQ(c.error().size(), 2u) << Show(c);
  EXPECT_EQ(c.error()[0].message, "`cert_file` /nonexistent/c.pem: no such file");
  EXPECT_EQ(c.error()[1].message, "`key_file` /nonexistent/k.pem: no such file");
}

TEST(ConfigTest, EveryProblemIsReportedInFileOrder) {
  auto c = Parse("sinks:\n  - {type: stdot}\ntimezon: UTC\nshutdown_grace: x\n");
  ASSERT_FALSE(c);
  ASSERT_EQ(c.error().size(), 3u) << Show(c);
  EXPECT_EQ(c.error()[0].where.ToString(), "c.yml:2:12");
  EXPECT_EQ(c.error()[1].where.ToString(), "c.yml:3:1");
  EXPECT_EQ(c.error()[2].where.ToString(), "c.yml:4:17");
  // Rendered like the rule loader's: excerpt and caret.
  EXPECT_EQ(c.error()[1].ToString(),
            "c.yml:3:1: error: unknown key `timezon` in the config\n"
            "  timezon: UTC\n"
            "  ^\n"
            "  hint: did you mean `timezone`?");
}

TEST(EnvTest, InterpolatesEveryScalar) {
  auto c = Parse(
      "timezone: \"${TZ_NAME}\"\n"
      "shutdown_grace: ${GRACE}\n"
      "builtin_rules: ${BUILTIN}\n"
      "sinks:\n  - {type: file, path: \"${DIR}/alerts-${DIR}.ndjson\"}\n",
      {{"TZ_NAME", "Asia/Seoul"}, {"GRACE", "30s"}, {"BUILTIN", "false"}, {"DIR", "out"}});
  ASSERT_TRUE(c) << Show(c);
  EXPECT_EQ(c->global.timezone, "Asia/Seoul");
  EXPECT_EQ(c->shutdown_grace, std::chrono::seconds(30));
  EXPECT_FALSE(c->builtin_rules);
  EXPECT_EQ(std::get<FileSinkConfig>(c->sinks[0].settings).path, "out/alerts-out.ndjson");
}

TEST(EnvTest, DollarDollarBraceIsALiteral) {
  auto c = Parse("sinks:\n  - {type: file, path: \"a$${HOME}b$c\"}\n");
  ASSERT_TRUE(c) << Show(c);
  EXPECT_EQ(std::get<FileSinkConfig>(c->sinks[0].settings).path, "a${HOME}b$c");
}

TEST(EnvTest, EveryUnsetVariableIsNamed) {
  auto c = Parse("timezone: \"${A_UNSET}\"\nsinks:\n  - {type: file, path: \"${B_UNSET}\"}\n");
  ASSERT_FALSE(c);
  ASSERT_EQ(c.error().size(), 2u) << Show(c);  // and no "unknown time zone `${A_UNSET}`"
  EXPECT_EQ(c.error()[0].message, "environment variable `A_UNSET` is not set");
  EXPECT_EQ(c.error()[1].message, "environment variable `B_UNSET` is not set");
  EXPECT_EQ(c.error()[1].where.ToString(), "c.yml:3:24");
}

TEST(EnvTest, EmptyVariableIsAnEmptyValue) {
  auto c = Parse("sinks:\n  - {type: slack, webhook_url: \"${HOOK}\"}\n", {{"HOOK", ""}});
  EXPECT_EQ(One(c), "c.yml:2:32: `webhook_url` is empty");
}

// No secret's value may appear in any diagnostic, whatever goes wrong around it.
TEST(SecretTest, NeverEchoed) {
  TempDir dir;
  const std::string kSecret = "hunter2-very-secret";
  dir.Write("bad-url.txt", "not a url " + kSecret + "\n");
  dir.Write("empty.txt", "\n");
  const std::vector<std::string> configs = {
      // A secret written inline that is not a URL: the excerpt would show it.
      "sinks:\n  - {type: slack, webhook_url: \"" + kSecret + " x\"}\n",
      // From the environment.
      "sinks:\n  - {type: slack, webhook_url: \"${HOOK}\"}\n",
      // From a file.
      "sinks:\n  - {type: slack, webhook_url_file: bad-url.txt}\n",
      // Both given, and a sibling error on the secret's line.
      "sinks:\n  - {type: slack_api, token: \"" + kSecret + "\", token_file: x, channel: [c]}\n",
      "sources:\n  - {type: http, token: \"" + kSecret + "\", tokn: x}\n",
      "sinks:\n  - {type: webhook, url: \"https://x\", hmac_secret: [\"" + kSecret + "\"]}\n",
      "sinks:\n  - {type: webhook, url: \"https://x\", headers: {Authorization: [\"" + kSecret +
          "\"]}}\n",
  };
  for (const std::string& yaml : configs) {
    auto c = Parse(yaml, {{"HOOK", "ftp://" + kSecret}}, dir.path());
    ASSERT_FALSE(c) << yaml;
    const std::string all = FormatDiagnostics(c.error());
    EXPECT_EQ(all.find(kSecret), std::string::npos) << all;
    EXPECT_EQ(all.find("hunter2"), std::string::npos) << all;
  }
}

TEST(SecretTest, FileProblems) {
  TempDir dir;
  dir.Write("empty.txt", "\r\n");
  auto missing =
      Parse("sinks:\n  - {type: slack, webhook_url_file: nothere.txt}\n", {}, dir.path());
  EXPECT_EQ(One(missing), "c.yml:2:37: cannot read `webhook_url_file`: " + dir.path() +
                              "/nothere.txt: no such file");
  auto empty = Parse("sinks:\n  - {type: slack, webhook_url_file: empty.txt}\n", {}, dir.path());
  EXPECT_EQ(One(empty), "c.yml:2:37: `webhook_url_file` empty.txt is empty");
  auto folder = Parse("sinks:\n  - {type: slack, webhook_url_file: .}\n", {}, dir.path());
  EXPECT_NE(One(folder).find("cannot read `webhook_url_file`"), std::string::npos) << One(folder);
}

TEST(SecretTest, EverySecretHasAFileVariant) {
  TempDir dir;
  dir.Write("s", "value\n");
  auto c = Parse(R"(sources:
  - {type: http, token_file: s, firehose_access_key_file: s}
sinks:
  - {type: slack, webhook_url_file: s}
  - {type: slack_api, token_file: s, channel: c}
  - {type: webhook, url: "https://x", hmac_secret_file: s}
)",
                 {}, dir.path());
  // webhook_url "value" is not a URL: the only error, and it names the key.
  ASSERT_FALSE(c);
  ASSERT_EQ(c.error().size(), 1u) << Show(c);
  EXPECT_EQ(c.error()[0].message,
            "`webhook_url_file` must be an http:// or https:// URL without spaces");
  dir.Write("u", "https://hooks.slack.com/x\n");
  auto ok = Parse(R"(sources:
  - {type: http, token_file: s, firehose_access_key_file: s}
sinks:
  - {type: slack, webhook_url_file: u}
  - {type: slack_api, token_file: s, channel: c}
  - {type: webhook, url: "https://x", hmac_secret_file: s}
)",
                  {}, dir.path());
  ASSERT_TRUE(ok) << Show(ok);
  const auto& http = std::get<HttpSourceConfig>(ok->sources[0].settings);
  EXPECT_EQ(http.token.value, "value");
  EXPECT_EQ(http.firehose_access_key.value, "value");
  EXPECT_EQ(http.token.origin, "file " + dir.path() + "/s");
  EXPECT_EQ(std::get<SlackApiSinkConfig>(ok->sinks[1].settings).token.value, "value");
  EXPECT_EQ(std::get<WebhookSinkConfig>(ok->sinks[2].settings).hmac_secret.value, "value");
}

TEST(ValidateOverridesTest, UnknownIdsWithDidYouMean) {
  auto c = Parse(R"(overrides:
  authorization-failure: {schedule: outside_business_hours}
  console-login-failur: {enabled: false}
sinks:
  - {type: stdout, rules: [cloudtrail-change, kms-key-chnage], exclude_rules: [zzz]}
)");
  ASSERT_TRUE(c) << Show(c);
  const std::vector<std::string> known = {"authorization-failure", "console-login-failure",
                                          "cloudtrail-change", "kms-key-change"};
  const std::vector<Diagnostic> d = ValidateOverrides(*c, known);
  ASSERT_EQ(d.size(), 3u) << FormatDiagnostics(d);
  EXPECT_EQ(d[0].where.ToString(), "c.yml:3:3");
  EXPECT_EQ(d[0].message, "unknown rule id `console-login-failur` in override");
  EXPECT_EQ(d[0].hint, "did you mean `console-login-failure`?");
  EXPECT_EQ(d[0].excerpt, "  console-login-failur: {enabled: false}");
  EXPECT_EQ(d[1].where.ToString(), "c.yml:5:47");
  EXPECT_EQ(d[1].message, "unknown rule id `kms-key-chnage` in `rules` of sink `stdout`");
  EXPECT_EQ(d[1].hint, "did you mean `kms-key-change`?");
  EXPECT_EQ(d[2].message, "unknown rule id `zzz` in `exclude_rules` of sink `stdout`");
  EXPECT_EQ(d[2].hint, "`trailwatch rules list` shows the loaded rules' ids");
  EXPECT_TRUE(ValidateOverrides(*c, {"authorization-failure", "console-login-failur",
                                     "cloudtrail-change", "kms-key-chnage", "zzz"})
                  .empty());
}

TEST(PolicyForTest, DefaultsThenRuleThenOverride) {
  auto c = Parse(R"(defaults: {dedupe: {window: 1h}, schedule: inside_business_hours}
overrides:
  r: {dedupe: false, severity: critical}
)");
  ASSERT_TRUE(c) << Show(c);
  rules::RulePolicy rule_policy;
  rules::PolicyKeys rule_keys;
  rule_policy.schedule = rules::Schedule::kOutsideBusinessHours;
  rule_keys.schedule = true;
  const rules::RulePolicy r = c->PolicyFor("r", rule_policy, rule_keys);
  EXPECT_EQ(r.schedule, rules::Schedule::kOutsideBusinessHours);  // the rule beats defaults
  EXPECT_FALSE(r.dedupe.enabled);                                 // the override
  EXPECT_EQ(r.dedupe.window, std::chrono::hours(1));              // defaults
  EXPECT_EQ(r.severity, rules::Severity::kCritical);
  const rules::RulePolicy other = c->PolicyFor("other", rules::RulePolicy{}, rules::PolicyKeys{});
  EXPECT_EQ(other.schedule, rules::Schedule::kInsideBusinessHours);
  EXPECT_TRUE(other.dedupe.enabled);
  EXPECT_FALSE(other.severity.has_value());
}

TEST(ExampleConfigTest, IsTheShippedFile) {
  std::ifstream in(std::string(TW_SOURCE_DIR) + "/deploy/trailwatch.example.yml", std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(ExampleConfig(), file);
}

TEST(ExampleConfigTest, IsValidWithWhatItRefersTo) {
  TempDir dir;
  for (const std::string& f : ExampleSecretFiles()) dir.Write(f, "secret-" + f + "\n");
  std::map<std::string, std::string> env;
  for (const std::string& v : ExampleEnvironment()) env[v] = "https://hooks.example.com/" + v;
  auto c = Parse(std::string(ExampleConfig()), env, dir.path());
  ASSERT_TRUE(c) << Show(c);
  // The seed's working hours.
  EXPECT_EQ(c->global.timezone, "Asia/Seoul");
  EXPECT_EQ(c->global.business_hours.days, (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(c->global.business_hours.start_minute, 8 * 60);
  EXPECT_EQ(c->global.business_hours.end_minute, 22 * 60);
  // Every source and sink type appears.
  std::set<std::string> types;
  for (const auto& s : c->sources) types.insert(s.type);
  for (const auto& s : c->sinks) types.insert(s.type);
  EXPECT_EQ(types, (std::set<std::string>{"dir", "stdin", "http", "s3", "slack", "slack_api",
                                          "webhook", "stdout", "file"}));
  // Without its environment it names what is missing.
  auto bare = Parse(std::string(ExampleConfig()), {}, dir.path());
  ASSERT_FALSE(bare);
  EXPECT_NE(FormatDiagnostics(bare.error()).find("`SLACK_WEBHOOK_URL` is not set"),
            std::string::npos);
}

// Every key the parser accepts appears in the example (a key added to the parser but not to
// the example fails here). The list is the documented one, docs/config.md.
TEST(ExampleConfigTest, MentionsEveryKey) {
  const std::string_view text = ExampleConfig();
  for (const char* key : {"timezone:",
                          "business_hours:",
                          "days:",
                          "start:",
                          "end:",
                          "holidays:",
                          "state:",
                          "type:",
                          "path:",
                          "rules:",
                          "builtin_rules:",
                          "packs:",
                          "defaults:",
                          "overrides:",
                          "account_names:",
                          "shutdown_grace:",
                          "sources:",
                          "sinks:",
                          "poll_interval:",
                          "table:",
                          "queue_url:",
                          "wait:",
                          "visibility_timeout:",
                          "retry_delay:",
                          "path_style:",
                          "listen:",
                          "token:",
                          "token_file:",
                          "firehose_access_key:",
                          "firehose_access_key_file:",
                          "max_body:",
                          "tls:",
                          "cert_file:",
                          "key_file:",
                          "webhook_url:",
                          "webhook_url_file:",
                          "name:",
                          "min_severity:",
                          "exclude_rules:",
                          "channel:",
                          "api_url:",
                          "dm_rules:",
                          "url:",
                          "hmac_secret:",
                          "hmac_secret_file:",
                          "headers:",
                          "format:",
                          "min_interval:",
                          "max_attempts:",
                          "timeout:",
                          "fsync:",
                          "enabled:",
                          "severity:",
                          "schedule:",
                          "suppress:",
                          "dedupe:",
                          "threshold:",
                          "window:",
                          "key:",
                          "count:",
                          "group_by:",
                          "field:",
                          "equals:",
                          "in:",
                          "cidr:",
                          "prefix:",
                          "regex:"}) {
    EXPECT_NE(text.find(key), std::string_view::npos) << key;
  }
}

}  // namespace
}  // namespace tw::config

namespace tw::config {
namespace {

TEST(ConfigTest, S3Source) {
  auto c = Parse(R"(
sources:
  - {type: s3, bucket: trail-bucket, prefix: AWSLogs/, lookback: 2d, interval: 60s}
  - type: s3
    bucket: other
    accounts: [111122223333]
    regions: [us-east-1, eu-west-1]
    path_style: true
)");
  ASSERT_TRUE(c) << Show(c);
  ASSERT_EQ(c->sources.size(), 2u);
  const auto& a = std::get<S3SourceConfig>(c->sources[0].settings);
  EXPECT_EQ(a.bucket, "trail-bucket");
  EXPECT_EQ(a.prefix, "AWSLogs/");
  EXPECT_EQ(a.lookback, std::chrono::hours(48));
  EXPECT_EQ(a.interval, std::chrono::seconds(60));
  const auto& b = std::get<S3SourceConfig>(c->sources[1].settings);
  EXPECT_EQ(b.prefix, "AWSLogs/");  // the default
  EXPECT_EQ(b.lookback, std::chrono::hours(48));
  EXPECT_EQ(b.accounts, std::vector<std::string>{"111122223333"});
  EXPECT_EQ(b.regions, (std::vector<std::string>{"us-east-1", "eu-west-1"}));
  EXPECT_TRUE(b.path_style);

  auto bad = Parse("sources: [{type: s3, accounts: [12345], lookbak: 1d}]\n");
  ASSERT_FALSE(bad);
  std::string all;
  for (const auto& d : bad.error()) all += d.message + "\n";
  EXPECT_NE(all.find("missing required key `bucket`"), std::string::npos) << all;
  EXPECT_NE(all.find("`12345` is not an account id"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown key `lookbak`"), std::string::npos) << all;
}

}  // namespace
}  // namespace tw::config
