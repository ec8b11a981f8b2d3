#include "config/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "rules/policy_yaml.h"
#include "rules/rule_spec.h"  // ReadTextFile
#include "rules/yaml_adapter.h"

namespace tw::config {
namespace {

namespace fs = std::filesystem;
using rules::Diagnostic;
using rules::YamlChecker;
using rules::YamlKind;
using rules::YamlMember;
using rules::YamlNode;
using Members = std::map<std::string, const YamlMember*>;

constexpr std::string_view kTopKeys[] = {"timezone",      "business_hours", "state",    "rules",
                                         "builtin_rules", "packs",          "defaults", "overrides",
                                         "account_names", "shutdown_grace", "sources",  "sinks"};
constexpr std::string_view kBusinessHoursKeys[] = {"days", "start", "end", "holidays"};
constexpr std::string_view kStateKeys[] = {"type", "path", "table"};
constexpr std::string_view kSourceTypes[] = {"dir", "stdin", "http", "s3", "sqs"};
constexpr std::string_view kSqsKeys[] = {"type",        "queue_url", "wait", "visibility_timeout",
                                         "retry_delay", "path_style"};
constexpr std::string_view kDirKeys[] = {"type", "path", "poll_interval"};
constexpr std::string_view kStdinKeys[] = {"type"};
constexpr std::string_view kS3SourceKeys[] = {"type",     "bucket",   "prefix",  "lookback",
                                              "interval", "accounts", "regions", "path_style"};
constexpr std::string_view kHttpKeys[] = {
    "type",     "listen", "token", "token_file", "firehose_access_key", "firehose_access_key_file",
    "max_body", "tls"};
constexpr std::string_view kTlsKeys[] = {"cert_file", "key_file"};
constexpr std::string_view kSinkTypes[] = {"slack", "slack_api", "webhook", "stdout", "file"};
constexpr std::string_view kSinkCommonKeys[] = {
    "type", "name", "min_severity", "rules", "exclude_rules", "min_interval", "max_attempts"};
constexpr std::string_view kSlackKeys[] = {"webhook_url", "webhook_url_file", "timeout"};
constexpr std::string_view kSlackApiKeys[] = {"token",   "token_file", "channel",
                                              "api_url", "dm_rules",   "timeout"};
constexpr std::string_view kWebhookKeys[] = {"url", "hmac_secret", "hmac_secret_file", "headers",
                                             "timeout"};
constexpr std::string_view kStdoutKeys[] = {"format"};
constexpr std::string_view kFileKeys[] = {"path", "fsync"};
constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
// Keys whose value is a secret: never echoed.
constexpr std::string_view kSecretKeys[] = {"webhook_url", "token", "hmac_secret",
                                            "firehose_access_key"};

template <size_t N>
std::vector<std::string_view> Names(const std::string_view (&keys)[N]) {
  return std::vector<std::string_view>(keys, keys + N);
}
template <size_t N, size_t M>
std::vector<std::string_view> Names(const std::string_view (&a)[N],
                                    const std::string_view (&b)[M]) {
  std::vector<std::string_view> out(a, a + N);
  out.insert(out.end(), b, b + M);
  return out;
}

// A key whose value is a secret (not its `_file` variant: a path is no secret).
bool IsSecretKey(std::string_view key) {
  return std::find(std::begin(kSecretKeys), std::end(kSecretKeys), key) != std::end(kSecretKeys);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

const YamlMember* Find(const Members& members, const char* key) {
  auto it = members.find(key);
  return it == members.end() ? nullptr : it->second;
}

// Members in file order.
std::vector<const YamlMember*> InOrder(const Members& members) {
  std::vector<const YamlMember*> out;
  for (const auto& [name, m] : members) out.push_back(m);
  std::sort(out.begin(), out.end(), [](const YamlMember* a, const YamlMember* b) {
    return a->first.offset < b->first.offset;
  });
  return out;
}

// "HH:MM" -> minutes after midnight; `allow_24` accepts "24:00" (an end of day).
std::optional<int> ParseClock(std::string_view s, bool allow_24) {
  if (s.size() != 5 || s[2] != ':' || !IsDigit(s[0]) || !IsDigit(s[1]) || !IsDigit(s[3]) ||
      !IsDigit(s[4])) {
    return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (allow_24 && h == 24 && m == 0) return 24 * 60;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(s[i])) return false;
  }
  const int y = std::stoi(std::string(s.substr(0, 4)));
  const int m = std::stoi(std::string(s.substr(5, 2)));
  const int d = std::stoi(std::string(s.substr(8, 2)));
  static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= kDaysIn[m - 1] + (m == 2 && IsLeap(y) ? 1 : 0);
}

bool IsRuleIdText(std::string_view s) {
  if (s.empty() || s[0] == '-') return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-'; });
}

bool IsHeaderName(std::string_view s) {
  // RFC 9110 token characters.
  constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) ||
           kExtra.find(c) != std::string_view::npos;
  });
}

class ConfigParser {
 public:
  ConfigParser(std::string_view text, std::string_view name, const EnvLookup& env,
               const ParseOptions& options)
      : text_(text), name_(name), env_(env), options_(options), c_(text, name, diagnostics_) {}

  tl::expected<Config, std::vector<Diagnostic>> Run() {
    config_.display_name = std::string(name_);
    config_.base_dir = options_.base_dir;
    auto documents = rules::ParseYaml(text_);
    if (!documents) {
      const rules::YamlSyntaxError& e = documents.error();
      Diagnostic d;
      d.where = {std::string(name_), e.line, e.column};
      d.message = "invalid YAML: " + e.message;
      d.excerpt = std::string(rules::LineOf(text_, e.line));
      d.caret_column = e.column;
      d.hint = "check the indentation and quoting around here";
      return tl::unexpected(std::vector<Diagnostic>{std::move(d)});
    }
    if (documents->size() > 1) {
      Diagnostic d;
      d.where = {std::string(name_), 0, 0};
      d.message = "a config file holds one YAML document, not several";
      d.hint = "remove the `---` separators";
      return tl::unexpected(std::vector<Diagnostic>{std::move(d)});
    }
    if (documents->empty() || (*documents)[0].kind == YamlKind::kNull) return Finish();
    YamlNode root = std::move((*documents)[0]);
    if (root.kind != YamlKind::kMapping) {
      c_.Error(root, root, fmt::format("a config is a mapping, not {}", rules::YamlKindName(root)),
               "start with keys such as `timezone:`, `sources:`, `sinks:`");
      return Finish();
    }
    Interpolate(root, false);
    // A value whose variable is missing would cause a second, confusing error: stop here.
    if (!diagnostics_.empty()) return Finish();
    ParseTop(root);
    return Finish();
  }

 private:
  tl::expected<Config, std::vector<Diagnostic>> Finish() {
    if (diagnostics_.empty()) return std::move(config_);
    // A diagnostic about another key may still show a line that holds a secret: mask every
    // secret seen (inline, from the environment or from a file) wherever it appears, keeping
    // lengths so that carets stay in place.
    for (Diagnostic& d : diagnostics_) {
      for (const std::string& secret : secrets_) {
        for (std::string* text : {&d.message, &d.excerpt, &d.hint}) {
          for (size_t at = text->find(secret); at != std::string::npos;
               at = text->find(secret, at + secret.size())) {
            text->replace(at, secret.size(), std::string(secret.size(), '*'));
          }
        }
      }
    }
    std::stable_sort(
        diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
          return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
        });
    return tl::unexpected(std::move(diagnostics_));
  }

  // ---- ${ENV} interpolation -------------------------------------------------------------------

  void Interpolate(YamlNode& node, bool secret) {
    switch (node.kind) {
      case YamlKind::kScalar:
        InterpolateScalar(node, secret);
        return;
      case YamlKind::kSequence:
        for (YamlNode& item : node.items) Interpolate(item, secret);
        return;
      case YamlKind::kMapping:
        for (auto& [key, value] : node.members) {
          Interpolate(value, secret || (key.IsScalar() &&
                                        (IsSecretKey(key.scalar) || key.scalar == "headers")));
        }
        return;
      case YamlKind::kNull:
        return;
    }
  }

  void InterpolateScalar(YamlNode& node, bool secret) {
    const std::string& in = node.scalar;
    if (in.find('$') == std::string::npos) {
      if (secret) KeepSecret(in);
      return;
    }
    std::string out;
    for (size_t i = 0; i < in.size(); ++i) {
      if (in.compare(i, 3, "$${") == 0) {
        out += "${";
        i += 2;
        continue;
      }
      if (in.compare(i, 2, "${") != 0) {
        out += in[i];
        continue;
      }
      const size_t close = in.find('}', i + 2);
      if (close == std::string::npos) {
        c_.Error(node, node, "unclosed `${` in a value",
                 "write `${NAME}` for an environment variable, or `$${` for a literal `${`",
                 secret);
        return;
      }
      const std::string var = in.substr(i + 2, close - i - 2);
      const bool valid_name =
          !var.empty() && !IsDigit(var[0]) && std::all_of(var.begin(), var.end(), [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || IsDigit(ch) || ch == '_';
          });
      if (!valid_name) {
        c_.Error(node, node, fmt::format("`${{{}}}` is not a valid environment variable name", var),
                 "names are letters, digits and `_`, not starting with a digit; `$${` is a "
                 "literal `${`",
                 secret);
        return;
      }
      std::optional<std::string> value = env_ ? env_(var) : std::nullopt;
      if (!value) {
        c_.Error(node, node, fmt::format("environment variable `{}` is not set", var),
                 fmt::format("set it before starting trailwatch, or write `$${{{}}}` for the "
                             "literal text",
                             var),
                 secret);
        return;
      }
      out += *value;
      i = close;
    }
    node.scalar = std::move(out);
    if (secret) KeepSecret(node.scalar);
  }

  // Remembers a secret's value, so that Finish can mask it in every diagnostic. Values shorter
  // than 3 bytes are not masked (they would blank out ordinary text, and are no secret).
  void KeepSecret(const std::string& value) {
    if (value.size() >= 3) secrets_.push_back(value);
  }

  // ---- Helpers -------------------------------------------------------------------------------

  std::string Resolve(const std::string& path) const {
    if (options_.base_dir.empty() || fs::path(path).is_absolute()) return path;
    return (fs::path(options_.base_dir) / path).lexically_normal().string();
  }

  // A mapping value, or an error. nullptr when it is not one.
  bool IsMapping(const YamlMember& m, std::string_view hint) {
    if (m.second.kind == YamlKind::kMapping) return true;
    c_.Error(m.second, m.first,
             fmt::format("`{}` must be a mapping, not {}", m.first.scalar,
                         rules::YamlKindName(m.second)),
             std::string(hint));
    return false;
  }

  bool IsList(const YamlMember& m, std::string_view hint) {
    if (m.second.kind == YamlKind::kSequence) return true;
    c_.Error(
        m.second, m.first,
        fmt::format("`{}` must be a list, not {}", m.first.scalar, rules::YamlKindName(m.second)),
        std::string(hint));
    return false;
  }

  // A secret from `key` or `key_file` in `members` (at most one of them). `required`: one must be
  // given. The origin names the key or the file, never the value.
  Secret ReadSecret(const Members& members, const YamlNode& owner, const std::string& key,
                    bool required) {
    const YamlMember* inline_value = Find(members, key.c_str());
    const YamlMember* file = Find(members, (key + "_file").c_str());
    Secret out;
    if (inline_value != nullptr && file != nullptr) {
      c_.Error(file->first, owner, fmt::format("give `{}` or `{}_file`, not both", key, key), "",
               true);
      return out;
    }
    if (inline_value != nullptr) {
      if (auto v = c_.String(*inline_value, /*secret=*/true)) {
        out.value = std::move(*v);
        out.origin = fmt::format("`{}` in {}:{}", key, name_, inline_value->first.line);
      }
      return out;
    }
    if (file != nullptr) {
      std::optional<std::string> path = c_.String(*file);
      if (!path) return out;
      const std::string full = Resolve(*path);
      Result<std::string> content = rules::ReadTextFile(full, kMaxSecretFileBytes);
      if (!content) {
        // ReadTextFile's messages name the path and the OS error, not the content.
        c_.Error(file->second, file->first,
                 fmt::format("cannot read `{}_file`: {}", key, content.error().message),
                 options_.base_dir.empty()
                     ? "a relative path is relative to the working directory"
                     : fmt::format("a relative path is relative to the config's folder ({})",
                                   options_.base_dir));
        return out;
      }
      std::string value = std::move(*content);
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      if (value.empty()) {
        c_.Error(file->second, file->first, fmt::format("`{}_file` {} is empty", key, *path));
        return out;
      }
      KeepSecret(value);
      out.value = std::move(value);
      out.origin = fmt::format("file {}", full);
      return out;
    }
    if (required) {
      c_.Error(owner, owner, fmt::format("missing `{}` (or `{}_file`)", key, key),
               fmt::format("write `{0}: \"${{ENV_VAR}}\"` or `{0}_file: path/to/file`", key));
    }
    return out;
  }

  std::optional<std::string> RequiredString(const Members& members, const YamlNode& owner,
                                            const char* key, std::string_view what) {
    const YamlMember* m = Find(members, key);
    if (m == nullptr) {
      c_.Error(owner, owner, fmt::format("{} is missing required key `{}`", what, key));
      return std::nullopt;
    }
    return c_.String(*m);
  }

  void CheckUrl(const YamlMember& m, const std::string& url, bool secret) {
    if (url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0) {
      if (url.find_first_of(" \t\r\n") == std::string::npos) return;
    }
    c_.Error(m.second, m.first,
             fmt::format("`{}` must be an http:// or https:// URL without spaces", m.first.scalar),
             "", secret);
  }

  void AddRuleIds(const YamlMember& m, std::vector<std::string>& out, std::string what) {
    const YamlNode& v = m.second;
    if (v.kind != YamlKind::kSequence) {
      c_.Error(v, m.first,
               fmt::format("`{}` must be a list of rule ids, not {}", m.first.scalar,
                           rules::YamlKindName(v)),
               fmt::format("write `{}: [rule-id, other-rule-id]`", m.first.scalar));
      return;
    }
    for (const YamlNode& item : v.items) {
      if (!item.IsScalar() || !IsRuleIdText(item.scalar)) {
        c_.Error(item, m.first, fmt::format("each item of `{}` must be a rule id", m.first.scalar),
                 "rule ids are lower-case letters, digits and `-` (trailwatch rules list)");
        continue;
      }
      out.push_back(item.scalar);
      Reference(item.scalar, item, what);
    }
  }

  void Reference(const std::string& id, const YamlNode& at, std::string what) {
    RuleIdReference ref;
    ref.id = id;
    ref.where = c_.Where(at);
    ref.excerpt = std::string(rules::LineOf(text_, at.line));
    ref.what = std::move(what);
    config_.rule_references.push_back(std::move(ref));
  }

  // ---- Sections ------------------------------------------------------------------------------

  void ParseTop(const YamlNode& root) {
    const Members members = c_.Members(root, Names(kTopKeys), "the config");
    for (const YamlMember* m : InOrder(members)) {
      const std::string& key = m->first.scalar;
      if (key == "timezone") {
        ParseTimezone(*m);
      } else if (key == "business_hours") {
        ParseBusinessHours(*m);
      } else if (key == "state") {
        ParseState(*m);
      } else if (key == "rules") {
        ParseRulePaths(*m);
      } else if (key == "builtin_rules") {
        if (auto b = c_.Bool(*m)) config_.builtin_rules = *b;
      } else if (key == "packs") {
        ParsePacks(*m);
      } else if (key == "defaults") {
        if (auto layer = rules::ParsePolicyMapping(c_, *m, "`defaults`")) config_.defaults = *layer;
      } else if (key == "overrides") {
        ParseOverrides(*m);
      } else if (key == "account_names") {
        ParseAccountNames(*m);
      } else if (key == "shutdown_grace") {
        if (auto d = c_.Duration(*m, std::chrono::seconds(0))) config_.shutdown_grace = *d;
      } else if (key == "sources") {
        ParseSources(*m);
      } else if (key == "sinks") {
        ParseSinks(*m);
      }
    }
  }

  void ParseTimezone(const YamlMember& m) {
    std::optional<std::string> tz = c_.String(m);
    if (!tz) return;
    bool ok = tz->find("..") == std::string::npos && (*tz)[0] != '/' &&
              std::all_of(tz->begin(), tz->end(), [](char ch) {
                return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || IsDigit(ch) ||
                       ch == '/' || ch == '_' || ch == '-' || ch == '+';
              });
    std::error_code ec;
    ok = ok && fs::is_regular_file(fs::path(options_.zoneinfo_dir) / *tz, ec);
    if (!ok) {
      c_.Error(m.second, m.first, fmt::format("unknown time zone `{}`", *tz),
               fmt::format("use an IANA name such as Asia/Seoul, Europe/Berlin or UTC (the names "
                           "under {})",
                           options_.zoneinfo_dir));
      return;
    }
    config_.global.timezone = *tz;
  }

  void ParseBusinessHours(const YamlMember& m) {
    if (!IsMapping(m,
                   "write `business_hours: {days: [mon, tue, wed, thu, fri], start: \"08:00\", "
                   "end: \"22:00\"}`")) {
      return;
    }
    const Members members = c_.Members(m.second, Names(kBusinessHoursKeys), "`business_hours`");
    rules::BusinessHours& bh = config_.global.business_hours;
    if (const YamlMember* d = Find(members, "days")) {
      if (IsList(*d, "write `days: [mon, tue, wed, thu, fri]`")) {
        std::vector<int> days;
        for (const YamlNode& item : d->second.items) {
          const auto* it = item.IsScalar()
                               ? std::find(std::begin(kDays), std::end(kDays), item.scalar)
                               : std::end(kDays);
          if (it == std::end(kDays)) {
            const std::string_view suggestion =
                item.IsScalar() ? rules::ClosestMatch(item.scalar, Names(kDays)) : "";
            c_.Error(item, d->first,
                     item.IsScalar() ? fmt::format("unknown day `{}`", item.scalar)
                                     : std::string("a day must be a name"),
                     suggestion.empty()
                         ? fmt::format("days are {}", rules::JoinQuotedNames(Names(kDays)))
                         : fmt::format("did you mean `{}`?", suggestion));
            continue;
          }
          const int iso = static_cast<int>(it - std::begin(kDays)) + 1;
          if (std::find(days.begin(), days.end(), iso) != days.end()) {
            c_.Error(item, d->first, fmt::format("day `{}` is listed twice", item.scalar));
            continue;
          }
          days.push_back(iso);
        }
        std::sort(days.begin(), days.end());
        bh.days = std::move(days);
      }
    }
    auto clock = [&](const char* key, bool end, int& out) {
      const YamlMember* t = Find(members, key);
      if (t == nullptr) return;
      std::optional<std::string> s = c_.String(*t);
      if (!s) return;
      std::optional<int> minutes = ParseClock(*s, end);
      if (!minutes) {
        c_.Error(t->second, t->first, fmt::format("`{}` must be a time \"HH:MM\" (24-hour)", key),
                 end ? "from \"00:00\" to \"24:00\"; quote it: `end: \"22:00\"`"
                     : "from \"00:00\" to \"23:59\"; quote it: `start: \"08:00\"`");
        return;
      }
      out = *minutes;
    };
    clock("start", false, bh.start_minute);
    clock("end", true, bh.end_minute);
    if (bh.start_minute == bh.end_minute % (24 * 60) && Find(members, "end") != nullptr) {
      const YamlMember* e = Find(members, "end");
      c_.Error(e->second, e->first, "business hours start and end at the same time",
               "an end before the start spans midnight (22:00 to 06:00); for the whole day use "
               "\"00:00\" to \"24:00\"");
    }
    if (const YamlMember* h = Find(members, "holidays")) {
      if (IsList(*h, "write `holidays: [2026-12-25, 2027-01-01]`")) {
        for (const YamlNode& item : h->second.items) {
          if (!item.IsScalar() || !IsDate(item.scalar)) {
            c_.Error(item, h->first, "a holiday must be a date YYYY-MM-DD",
                     "for example 2026-12-25");
            continue;
          }
          bh.holidays.push_back(item.scalar);
        }
      }
    }
  }

  void ParseState(const YamlMember& m) {
    if (!IsMapping(m, "write `state: {path: trailwatch.db}`")) return;
    const Members members = c_.Members(m.second, Names(kStateKeys), "`state`");
    if (const YamlMember* t = Find(members, "type")) {
      std::optional<std::string> type = c_.String(*t);
      if (type && *type != "sqlite" && *type != "dynamodb") {
        c_.Error(t->second, t->first, fmt::format("unsupported state type `{}`", *type),
                 "the state type is `sqlite` or `dynamodb`");
        return;
      }
      if (type) config_.state.type = *type;
    }
    const YamlMember* table = Find(members, "table");
    if (config_.state.type == "dynamodb") {
      if (table == nullptr) {
        c_.Error(m.first, m.second, "`state: {type: dynamodb}` needs `table`",
                 "write `state: {type: dynamodb, table: trailwatch-state, path: worker.db}`");
      } else if (auto name = c_.String(*table)) {
        config_.state.table = *name;
      }
    } else if (table != nullptr) {
      c_.Error(table->first, m.second, "`table` is for `type: dynamodb`");
    }
    if (const YamlMember* p = Find(members, "path")) {
      if (auto path = c_.String(*p)) config_.state.path = Resolve(*path);
    } else {
      config_.state.path = Resolve(config_.state.path);
    }
  }

  void ParseRulePaths(const YamlMember& m) {
    if (m.second.kind == YamlKind::kSequence && m.second.items.empty()) return;
    if (auto list = c_.StringList(m)) {
      for (const std::string& p : *list) config_.rule_paths.push_back(Resolve(p));
    }
  }

  void ParsePacks(const YamlMember& m) {
    if (!IsMapping(m, "write `packs: {cis: true}`")) return;
    const Members members = [&] {
      Members out;
      for (const YamlMember& member : m.second.members) {
        if (!member.first.IsScalar()) {
          c_.Error(member.first, m.second, "a pack name must be a string");
          continue;
        }
        if (!out.emplace(member.first.scalar, &member).second) {
          c_.Error(member.first, m.second, fmt::format("duplicate key `{}`", member.first.scalar));
        }
      }
      return out;
    }();
    for (const YamlMember* p : InOrder(members)) {
      if (auto b = c_.Bool(*p)) {
        config_.packs.emplace_back(p->first.scalar, *b);
        RuleIdReference ref;
        ref.id = p->first.scalar;
        ref.where = c_.Where(p->first);
        ref.excerpt = std::string(rules::LineOf(text_, p->first.line));
        ref.what = "packs";
        config_.pack_references.push_back(std::move(ref));
      }
    }
  }

  void ParseOverrides(const YamlMember& m) {
    if (m.second.kind == YamlKind::kNull) return;
    if (!IsMapping(m, "write `overrides: {rule-id: {schedule: outside_business_hours}}`")) return;
    std::set<std::string> seen;
    for (const YamlMember& member : m.second.members) {
      const YamlNode& key = member.first;
      if (!key.IsScalar() || !IsRuleIdText(key.scalar)) {
        c_.Error(key, m.second, "an override's key must be a rule id",
                 "rule ids are lower-case letters, digits and `-` (trailwatch rules list)");
        continue;
      }
      if (!seen.insert(key.scalar).second) {
        c_.Error(key, m.second, fmt::format("duplicate override for `{}`", key.scalar));
        continue;
      }
      auto layer =
          rules::ParsePolicyMapping(c_, member, fmt::format("the override for `{}`", key.scalar));
      if (!layer) continue;
      config_.overrides.push_back(RuleOverride{key.scalar, std::move(*layer), c_.Where(key)});
      Reference(key.scalar, key, "override");
    }
  }

  void ParseAccountNames(const YamlMember& m) {
    if (!IsMapping(m, "write `account_names: {\"111122223333\": production}`")) return;
    std::set<std::string> seen;
    for (const YamlMember& member : m.second.members) {
      const YamlNode& key = member.first;
      const bool id_ok = key.IsScalar() && key.scalar.size() == 12 &&
                         std::all_of(key.scalar.begin(), key.scalar.end(), IsDigit);
      if (!id_ok) {
        c_.Error(key, m.second, "an account id is 12 digits",
                 "quote ids that start with 0 to be safe: \"012345678901\"");
        continue;
      }
      if (!seen.insert(key.scalar).second) {
        c_.Error(key, m.second, fmt::format("duplicate account `{}`", key.scalar));
        continue;
      }
      if (auto name = c_.String(member))
        config_.global.account_names.emplace_back(key.scalar, *name);
    }
  }

  // The `type:` of a source or sink item, checked against `types`.
  std::optional<std::string> ItemType(const YamlNode& item, const YamlNode& list_key,
                                      const std::vector<std::string_view>& types,
                                      std::string_view what) {
    if (item.kind != YamlKind::kMapping) {
      c_.Error(item, list_key,
               fmt::format("a {} must be a mapping, not {}", what, rules::YamlKindName(item)),
               fmt::format("write `- type: {}` and its keys", types[0]));
      return std::nullopt;
    }
    const YamlMember* type = nullptr;
    for (const YamlMember& member : item.members) {
      if (member.first.IsScalar() && member.first.scalar == "type") type = &member;
    }
    if (type == nullptr) {
      c_.Error(item, list_key, fmt::format("{} is missing required key `type`", what),
               fmt::format("the types are {}", rules::JoinQuotedNames(types)));
      return std::nullopt;
    }
    std::optional<std::string> name = c_.String(*type);
    if (!name) return std::nullopt;
    if (std::find(types.begin(), types.end(), *name) == types.end()) {
      const std::string_view suggestion = rules::ClosestMatch(*name, types);
      c_.Error(type->second, type->first, fmt::format("unknown {} type `{}`", what, *name),
               suggestion.empty() ? fmt::format("the types are {}", rules::JoinQuotedNames(types))
                                  : fmt::format("did you mean `{}`?", suggestion));
      return std::nullopt;
    }
    return name;
  }

  void ParseSources(const YamlMember& m) {
    if (m.second.kind == YamlKind::kNull) return;
    if (!IsList(m, "write `sources: [{type: dir, path: incoming/}]`")) return;
    for (const YamlNode& item : m.second.items) {
      std::optional<std::string> type = ItemType(item, m.first, Names(kSourceTypes), "source");
      if (!type) continue;
      SourceConfig source;
      source.type = *type;
      source.where = c_.Where(item);
      const size_t errors = c_.error_count();
      if (*type == "dir") {
        const Members members = c_.Members(item, Names(kDirKeys), "a `dir` source");
        DirSourceConfig dir;
        if (auto path = RequiredString(members, item, "path", "a `dir` source")) {
          dir.path = Resolve(*path);
        }
        if (const YamlMember* p = Find(members, "poll_interval")) {
          if (auto d = c_.Duration(*p, std::chrono::seconds(1))) dir.poll_interval = *d;
        }
        source.settings = std::move(dir);
      } else if (*type == "stdin") {
        c_.Members(item, Names(kStdinKeys), "a `stdin` source");
        source.settings = StdinSourceConfig{};
      } else if (*type == "s3") {
        source.settings = ParseS3Source(item);
      } else if (*type == "sqs") {
        source.settings = ParseSqsSource(item);
      } else {
        source.settings = ParseHttpSource(item);
      }
      if (c_.error_count() == errors) config_.sources.push_back(std::move(source));
    }
  }

  S3SourceConfig ParseS3Source(const YamlNode& item) {
    const Members members = c_.Members(item, Names(kS3SourceKeys), "an `s3` source");
    S3SourceConfig s3;
    if (auto bucket = RequiredString(members, item, "bucket", "an `s3` source")) {
      s3.bucket = *bucket;
    }
    if (const YamlMember* p = Find(members, "prefix")) {
      if (auto prefix = c_.String(*p)) s3.prefix = *prefix;
    }
    if (const YamlMember* l = Find(members, "lookback")) {
      if (auto d = c_.Duration(*l, std::chrono::seconds(3600))) s3.lookback = *d;
    }
    if (const YamlMember* i = Find(members, "interval")) {
      if (auto d = c_.Duration(*i, std::chrono::seconds(1))) s3.interval = *d;
    }
    if (const YamlMember* a = Find(members, "accounts")) {
      if (auto list = c_.StringList(*a)) {
        for (const std::string& id : *list) {
          const bool digits = id.size() == 12 && std::all_of(id.begin(), id.end(), IsDigit);
          if (!digits) {
            c_.Error(a->second, a->first, fmt::format("`accounts`: `{}` is not an account id", id),
                     "an AWS account id is 12 digits");
          }
        }
        s3.accounts = *list;
      }
    }
    if (const YamlMember* r = Find(members, "regions")) {
      if (auto list = c_.StringList(*r)) s3.regions = *list;
    }
    if (const YamlMember* p = Find(members, "path_style")) {
      if (auto b = c_.Bool(*p)) s3.path_style = *b;
    }
    return s3;
  }

  SqsSourceConfig ParseSqsSource(const YamlNode& item) {
    const Members members = c_.Members(item, Names(kSqsKeys), "an `sqs` source");
    SqsSourceConfig sqs;
    if (const YamlMember* u = Find(members, "queue_url")) {
      if (auto url = c_.String(*u)) {
        if (url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0) {
          c_.Error(u->second, u->first, "`queue_url` must be an http:// or https:// URL",
                   "e.g. https://sqs.us-east-1.amazonaws.com/123456789012/cloudtrail-events");
        } else {
          sqs.queue_url = *url;
        }
      }
    } else {
      c_.Error(item, item, "an `sqs` source needs `queue_url`",
               "write `{type: sqs, queue_url: https://sqs.<region>.amazonaws.com/<account>/<q>}`");
    }
    if (const YamlMember* w = Find(members, "wait")) {
      if (auto d = c_.Duration(*w, std::chrono::seconds(0))) {
        if (d->count() > 20) {
          c_.Error(w->second, w->first, "`wait` is at most 20s (SQS's longest poll)");
        } else {
          sqs.wait = *d;
        }
      }
    }
    if (const YamlMember* v = Find(members, "visibility_timeout")) {
      if (auto d = c_.Duration(*v, std::chrono::seconds(2))) sqs.visibility_timeout = *d;
    }
    if (const YamlMember* r = Find(members, "retry_delay")) {
      if (auto d = c_.Duration(*r, std::chrono::seconds(0))) sqs.retry_delay = *d;
    }
    if (const YamlMember* p = Find(members, "path_style")) {
      if (auto b = c_.Bool(*p)) sqs.path_style = *b;
    }
    return sqs;
  }

  HttpSourceConfig ParseHttpSource(const YamlNode& item) {
    const size_t errors = c_.error_count();
    const Members members = c_.Members(item, Names(kHttpKeys), "an `http` source");
    HttpSourceConfig http;
    if (const YamlMember* l = Find(members, "listen")) {
      if (std::optional<std::string> listen = c_.String(*l)) {
        std::string host;
        std::string port;
        const std::string& s = *listen;
        if (!s.empty() && s[0] == '[') {  // [::1]:8088
          const size_t close = s.find("]:");
          if (close != std::string::npos) {
            host = s.substr(1, close - 1);
            port = s.substr(close + 2);
          }
        } else if (const size_t colon = s.rfind(':'); colon != std::string::npos) {
          host = s.substr(0, colon);
          port = s.substr(colon + 1);
          if (host.find(':') != std::string::npos) port.clear();  // bare IPv6: needs brackets
        } else {
          port = s;
        }
        int n = -1;
        const bool port_ok =
            !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), IsDigit) &&
            std::from_chars(port.data(), port.data() + port.size(), n).ec == std::errc() &&
            n <= 65535;
        if (!port_ok) {
          c_.Error(l->second, l->first, fmt::format("invalid `listen` address `{}`", s),
                   "write \"127.0.0.1:8088\", \"[::1]:8088\" or \":8088\" (host 127.0.0.1); port 0 "
                   "picks a free port");
        } else {
          http.host = host.empty() ? "127.0.0.1" : host;
          http.port = n;
        }
      }
    }
    http.token = ReadSecret(members, item, "token", false);
    http.firehose_access_key = ReadSecret(members, item, "firehose_access_key", false);
    const bool any_auth = Find(members, "token") || Find(members, "token_file") ||
                          Find(members, "firehose_access_key") ||
                          Find(members, "firehose_access_key_file");
    if (!any_auth && c_.error_count() == errors) {
      c_.Error(item, item,
               "an `http` source needs `token`/`token_file` or "
               "`firehose_access_key`/`firehose_access_key_file`",
               "requests must carry the bearer token or Firehose's X-Amz-Firehose-Access-Key");
    }
    if (const YamlMember* b = Find(members, "max_body")) {
      if (auto n = c_.Integer(*b, 1024, int64_t{1} << 30)) http.max_body = *n;
    }
    if (const YamlMember* t = Find(members, "tls")) {
      if (IsMapping(*t, "write `tls: {cert_file: cert.pem, key_file: key.pem}`")) {
        const Members tls = c_.Members(t->second, Names(kTlsKeys), "`tls`");
        for (const char* key : {"cert_file", "key_file"}) {
          auto path = RequiredString(tls, t->second, key, "`tls`");
          if (!path) continue;
          const std::string full = Resolve(*path);
          std::error_code ec;
          if (!fs::is_regular_file(full, ec)) {
            const YamlMember* at = Find(tls, key);
            c_.Error(at->second, at->first, fmt::format("`{}` {}: no such file", key, full));
            continue;
          }
          (std::string_view(key) == "cert_file" ? http.tls_cert_file : http.tls_key_file) = full;
        }
      }
    }
    return http;
  }

  void ParseSinks(const YamlMember& m) {
    if (m.second.kind == YamlKind::kNull) return;
    if (!IsList(m, "write `sinks: [{type: stdout}]`")) return;
    std::map<std::string, int> type_counts;
    std::map<std::string, int> names;  // name -> line
    for (const YamlNode& item : m.second.items) {
      std::optional<std::string> type = ItemType(item, m.first, Names(kSinkTypes), "sink");
      if (!type) continue;
      const size_t errors = c_.error_count();
      SinkConfig sink;
      sink.type = *type;
      sink.where = c_.Where(item);
      const std::string what = fmt::format("a `{}` sink", *type);
      Members members;
      if (*type == "slack") {
        members = c_.Members(item, Names(kSinkCommonKeys, kSlackKeys), what);
      } else if (*type == "slack_api") {
        members = c_.Members(item, Names(kSinkCommonKeys, kSlackApiKeys), what);
      } else if (*type == "webhook") {
        members = c_.Members(item, Names(kSinkCommonKeys, kWebhookKeys), what);
      } else if (*type == "stdout") {
        members = c_.Members(item, Names(kSinkCommonKeys, kStdoutKeys), what);
      } else {
        members = c_.Members(item, Names(kSinkCommonKeys, kFileKeys), what);
      }
      // The name first: messages about rule lists name the sink.
      const int n = ++type_counts[*type];
      sink.name = n == 1 ? *type : fmt::format("{}#{}", *type, n);
      const YamlNode* name_at = &item;
      if (const YamlMember* nm = Find(members, "name")) {
        if (auto name = c_.String(*nm)) {
          const bool ok = std::all_of(name->begin(), name->end(), [](char ch) {
            return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || IsDigit(ch) ||
                   ch == '_' || ch == '-' || ch == '.';
          });
          if (!ok) {
            c_.Error(nm->second, nm->first, fmt::format("invalid sink name `{}`", *name),
                     "a name is letters, digits, `_`, `-` and `.`");
          }
          sink.name = *name;
          name_at = &nm->second;
        }
      }
      if (const auto [it, inserted] = names.emplace(sink.name, item.line); !inserted) {
        c_.Error(*name_at, item, fmt::format("duplicate sink name `{}`", sink.name),
                 fmt::format("the sink at line {} has it; give this one a `name:`", it->second));
      }
      if (const YamlMember* s = Find(members, "min_severity")) {
        if (auto text = c_.String(*s)) {
          if (auto severity = rules::ParseSeverity(*text)) {
            sink.min_severity = *severity;
          } else {
            const std::string_view suggestion = rules::ClosestMatch(*text, rules::SeverityNames());
            c_.Error(s->second, s->first, fmt::format("unknown severity `{}`", *text),
                     suggestion.empty()
                         ? fmt::format("severity is one of {}",
                                       rules::JoinQuotedNames(rules::SeverityNames()))
                         : fmt::format("did you mean `{}`?", suggestion));
          }
        }
      }
      if (const YamlMember* r = Find(members, "rules")) {
        AddRuleIds(*r, sink.rules, fmt::format("`rules` of sink `{}`", sink.name));
      }
      if (const YamlMember* r = Find(members, "exclude_rules")) {
        AddRuleIds(*r, sink.exclude_rules, fmt::format("`exclude_rules` of sink `{}`", sink.name));
      }
      if (const YamlMember* p = Find(members, "min_interval")) {
        if (auto d = c_.Duration(*p, std::chrono::seconds(0))) sink.min_interval = *d;
      }
      if (const YamlMember* a = Find(members, "max_attempts")) {
        if (auto tries = c_.Integer(*a, 0, 1'000'000)) {
          sink.max_attempts = static_cast<int>(*tries);
        }
      }
      if (const YamlMember* t = Find(members, "timeout")) {
        if (auto d = c_.Duration(*t, std::chrono::seconds(1))) sink.timeout = *d;
      }
      if (*type == "slack") {
        SlackSinkConfig slack;
        slack.webhook_url = ReadSecret(members, item, "webhook_url", true);
        if (!slack.webhook_url.empty()) {
          const YamlMember* at = Find(members, "webhook_url");
          if (at == nullptr) at = Find(members, "webhook_url_file");
          CheckUrl(*at, slack.webhook_url.value, true);
        }
        sink.settings = std::move(slack);
      } else if (*type == "slack_api") {
        SlackApiSinkConfig api;
        api.token = ReadSecret(members, item, "token", true);
        if (auto channel = RequiredString(members, item, "channel", what)) api.channel = *channel;
        if (const YamlMember* u = Find(members, "api_url")) {
          if (auto url = c_.String(*u)) {
            CheckUrl(*u, *url, false);
            while (!url->empty() && url->back() == '/') url->pop_back();
            api.api_url = *url;
          }
        }
        if (const YamlMember* r = Find(members, "dm_rules")) {
          AddRuleIds(*r, api.dm_rules, fmt::format("`dm_rules` of sink `{}`", sink.name));
        }
        sink.settings = std::move(api);
      } else if (*type == "webhook") {
        WebhookSinkConfig hook;
        if (auto url = RequiredString(members, item, "url", what)) {
          CheckUrl(*Find(members, "url"), *url, false);
          hook.url = *url;
        }
        hook.hmac_secret = ReadSecret(members, item, "hmac_secret", false);
        if (const YamlMember* h = Find(members, "headers")) {
          if (IsMapping(*h, "write `headers: {X-Team: security}`")) {
            std::set<std::string> seen;
            for (const YamlMember& header : h->second.members) {
              if (!header.first.IsScalar() || !IsHeaderName(header.first.scalar)) {
                c_.Error(header.first, h->second, "invalid HTTP header name",
                         "letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 token)");
                continue;
              }
              std::string lower = header.first.scalar;
              std::transform(lower.begin(), lower.end(), lower.begin(),
                             [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
              if (!seen.insert(lower).second) {
                c_.Error(header.first, h->second,
                         fmt::format("duplicate header `{}`", header.first.scalar));
                continue;
              }
              // Header values may hold credentials: checked, never echoed.
              const YamlNode& v = header.second;
              if (!v.IsScalar() || v.scalar.find_first_of("\r\n") != std::string::npos) {
                c_.Error(v, header.first,
                         fmt::format("header `{}` must be a one-line string", header.first.scalar),
                         "", true);
                continue;
              }
              hook.headers.emplace_back(header.first.scalar, v.scalar);
            }
          }
        }
        sink.settings = std::move(hook);
      } else if (*type == "stdout") {
        StdoutSinkConfig out;
        if (const YamlMember* f = Find(members, "format")) {
          if (auto format = c_.String(*f)) {
            if (*format == "text") {
              out.format = OutputFormat::kText;
            } else if (*format == "json") {
              out.format = OutputFormat::kJson;
            } else {
              const std::string_view suggestion = rules::ClosestMatch(*format, {"text", "json"});
              c_.Error(f->second, f->first, fmt::format("unknown format `{}`", *format),
                       suggestion.empty() ? "the format is `text` or `json`"
                                          : fmt::format("did you mean `{}`?", suggestion));
            }
          }
        }
        sink.settings = out;
      } else {
        FileSinkConfig file;
        if (auto path = RequiredString(members, item, "path", what)) file.path = Resolve(*path);
        if (const YamlMember* f = Find(members, "fsync")) {
          if (auto policy = c_.String(*f)) {
            if (*policy == "always" || *policy == "never") {
              file.fsync = *policy == "always";
            } else {
              const std::string_view suggestion = rules::ClosestMatch(*policy, {"always", "never"});
              c_.Error(f->second, f->first, fmt::format("unknown fsync policy `{}`", *policy),
                       suggestion.empty() ? "`fsync` is `always` or `never`"
                                          : fmt::format("did you mean `{}`?", suggestion));
            }
          }
        }
        sink.settings = std::move(file);
      }
      if (c_.error_count() == errors) config_.sinks.push_back(std::move(sink));
    }
  }

  std::string_view text_;
  std::string_view name_;
  const EnvLookup& env_;
  const ParseOptions& options_;
  std::vector<Diagnostic> diagnostics_;
  std::vector<std::string> secrets_;  // values to mask in diagnostics
  YamlChecker c_;
  Config config_;
};

}  // namespace

bool Config::PackEnabled(std::string_view pack) const {
  bool enabled = true;
  for (const auto& [name, on] : packs) {
    if (name == pack) enabled = on;
  }
  return enabled;
}

const RuleOverride* Config::FindOverride(std::string_view rule_id) const {
  for (const RuleOverride& o : overrides) {
    if (o.rule_id == rule_id) return &o;
  }
  return nullptr;
}

rules::RulePolicy Config::PolicyFor(std::string_view rule_id, const rules::RulePolicy& rule_policy,
                                    const rules::PolicyKeys& rule_keys) const {
  const RuleOverride* o = FindOverride(rule_id);
  return rules::ResolvePolicy(defaults, rule_policy, rule_keys, o ? &o->policy : nullptr);
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

tl::expected<Config, std::vector<Diagnostic>> ParseConfig(std::string_view text,
                                                          std::string_view display_name,
                                                          const EnvLookup& env,
                                                          const ParseOptions& options) {
  return ConfigParser(text, display_name, env, options).Run();
}

tl::expected<Config, std::vector<Diagnostic>> LoadConfig(const std::string& path) {
  Result<std::string> text = rules::ReadTextFile(path, kMaxConfigBytes);
  if (!text) {
    Diagnostic d;
    d.where = {path, 0, 0};
    d.message = fmt::format("cannot read the config: {}", text.error().message);
    return tl::unexpected(std::vector<Diagnostic>{std::move(d)});
  }
  ParseOptions options;
  options.base_dir = fs::path(path).parent_path().string();
  if (options.base_dir.empty()) options.base_dir = ".";
  return ParseConfig(*text, path, ProcessEnv(), options);
}

std::vector<Diagnostic> ValidateOverrides(const Config& config,
                                          const std::vector<std::string>& known_rule_ids) {
  std::vector<Diagnostic> out;
  const std::set<std::string> known(known_rule_ids.begin(), known_rule_ids.end());
  const std::vector<std::string_view> candidates(known_rule_ids.begin(), known_rule_ids.end());
  for (const RuleIdReference& ref : config.rule_references) {
    if (known.count(ref.id) != 0) continue;
    Diagnostic d;
    d.where = ref.where;
    d.message = fmt::format("unknown rule id `{}` in {}", ref.id, ref.what);
    d.excerpt = ref.excerpt;
    d.caret_column = ref.where.column;
    const std::string_view suggestion = rules::ClosestMatch(ref.id, candidates);
    d.hint = suggestion.empty() ? "`trailwatch rules list` shows the loaded rules' ids"
                                : fmt::format("did you mean `{}`?", suggestion);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tw::config

namespace tw::config {

std::vector<Diagnostic> ValidatePacks(const Config& config,
                                      const std::vector<std::string>& known_packs) {
  std::vector<Diagnostic> out;
  const std::set<std::string> known(known_packs.begin(), known_packs.end());
  const std::vector<std::string_view> candidates(known.begin(), known.end());
  for (const RuleIdReference& ref : config.pack_references) {
    if (known.count(ref.id) != 0) continue;
    Diagnostic d;
    d.where = ref.where;
    d.message = fmt::format("unknown rule pack `{}` in packs", ref.id);
    d.excerpt = ref.excerpt;
    d.caret_column = ref.where.column;
    const std::string_view suggestion = rules::ClosestMatch(ref.id, candidates);
    d.hint = suggestion.empty() ? "`trailwatch rules list --format json` shows each rule's pack"
                                : fmt::format("did you mean `{}`?", suggestion);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tw::config
