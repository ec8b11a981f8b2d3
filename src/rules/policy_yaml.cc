#include "rules/policy_yaml.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace tw::rules {
namespace {

constexpr int64_t kMaxDurationSeconds = int64_t{3650} * 86400;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n\f\v";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// Checks a dedupe key template: every `{` opens a non-empty `{name}`.
Result<void> CheckKeyTemplate(std::string_view key) {
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '}') {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("unmatched `}}` at byte {} of the key template", i + 1));
    }
    if (key[i] != '{') continue;
    const size_t close = key.find('}', i);
    if (close == std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("unclosed `{{` at byte {} of the key template", i + 1));
    }
    const std::string_view name = key.substr(i + 1, close - i - 1);
    if (name.empty() || name.find('{') != std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("empty or nested field name at byte {} of the key template", i + 1));
    }
    i = close;
  }
  return Ok();
}

constexpr std::string_view kSuppressKeys[] = {"field",  "equals", "in",  "cidr",
                                              "prefix", "regex",  "name"};
constexpr std::string_view kSuppressTests[] = {"equals", "in", "cidr", "prefix", "regex"};
constexpr std::string_view kDedupeKeys[] = {"enabled", "window", "key"};
constexpr std::string_view kThresholdKeys[] = {"count", "window", "group_by"};

template <size_t N>
std::vector<std::string_view> ToVector(const std::string_view (&keys)[N]) {
  return std::vector<std::string_view>(keys, keys + N);
}

std::optional<SuppressCondition> ParseSuppressCondition(YamlChecker& c, const YamlNode& item,
                                                        const YamlNode& fallback) {
  if (item.kind != YamlKind::kMapping) {
    c.Error(item, fallback,
            fmt::format("a suppress condition must be a mapping, not {}", YamlKindName(item)),
            "write `- {field: sourceIPAddress, cidr: [10.0.0.0/8]}`");
    return std::nullopt;
  }
  const size_t errors = c.error_count();
  const auto members = c.Members(item, ToVector(kSuppressKeys), "suppress condition");
  SuppressCondition out;
  const YamlMember* test = nullptr;
  for (std::string_view kind : kSuppressTests) {
    auto it = members.find(std::string(kind));
    if (it == members.end()) continue;
    if (test != nullptr) {
      c.Error(it->second->first, item,
              fmt::format("a suppress condition has one test, not both `{}` and `{}`",
                          test->first.scalar, kind),
              "write two conditions: any one that holds suppresses the alert");
      return std::nullopt;
    }
    test = it->second;
  }
  if (auto it = members.find("field"); it != members.end()) {
    out.field = c.String(*it->second).value_or("");
  } else {
    c.Error(item, fallback, "suppress condition is missing required key `field`",
            "name the record field to test, e.g. `field: sourceIPAddress`");
  }
  if (auto it = members.find("name"); it != members.end()) {
    out.name = c.String(*it->second).value_or("");
  }
  if (test == nullptr) {
    if (c.error_count() != errors) return std::nullopt;  // an unknown key was probably the test
    c.Error(item, fallback, "suppress condition has no test",
            fmt::format("add one of {}", JoinQuotedNames(ToVector(kSuppressTests))));
    return std::nullopt;
  }
  const std::string& kind = test->first.scalar;
  const YamlNode& value = test->second;
  if (kind == "equals") {
    if (std::optional<std::string> s = c.String(*test)) out.equals.push_back(std::move(*s));
  } else if (kind == "in") {
    if (value.kind != YamlKind::kSequence) {
      c.Error(value, test->first, fmt::format("`in` must be a list, not {}", YamlKindName(value)),
              "write `in: [a, b]`, or `equals: a` for one value");
    } else if (auto list = c.StringList(*test)) {
      out.equals = std::move(*list);
    }
  } else if (kind == "prefix") {
    if (auto list = c.StringList(*test)) out.prefix = std::move(*list);
  } else if (kind == "cidr") {
    if (auto list = c.StringList(*test)) {
      for (size_t i = 0; i < list->size(); ++i) {
        const YamlNode& at = value.kind == YamlKind::kSequence ? value.items[i] : value;
        if (Result<void> ok = CheckCidr((*list)[i]); !ok) {
          c.Error(at, test->first, ok.error().message,
                  "write an IPv4 or IPv6 network such as 10.0.0.0/8 or 2001:db8::/32");
        }
      }
      out.cidr = std::move(*list);
    }
  } else if (kind == "regex") {
    if (std::optional<std::string> s = c.String(*test)) {
      RE2::Options options;
      options.set_log_errors(false);
      RE2 re(*s, options);
      if (!re.ok()) {
        c.Error(value, test->first, fmt::format("invalid regex: {}", re.error()),
                "RE2 syntax (https://github.com/google/re2/wiki/Syntax); the regex must match "
                "the whole value");
      }
      out.regex = std::move(*s);
    }
  }
  if (c.error_count() != errors) return std::nullopt;
  return out;
}

bool ParseSuppress(YamlChecker& c, const YamlMember& member, RulePolicy& values) {
  const auto& [key, value] = member;
  if (value.kind != YamlKind::kSequence) {
    c.Error(value, key,
            fmt::format("`suppress` must be a list of conditions, not {}", YamlKindName(value)),
            "write `suppress: [{field: sourceIPAddress, cidr: [10.0.0.0/8]}]`, or `suppress: []` "
            "for none");
    return false;
  }
  std::vector<SuppressCondition> conditions;
  bool ok = true;
  for (const YamlNode& item : value.items) {
    std::optional<SuppressCondition> condition = ParseSuppressCondition(c, item, key);
    if (condition) {
      conditions.push_back(std::move(*condition));
    } else {
      ok = false;
    }
  }
  if (ok) values.suppress = std::move(conditions);
  return ok;
}

bool ParseDedupe(YamlChecker& c, const YamlMember& member, RulePolicy& values, PolicyKeys& keys) {
  const auto& [key, value] = member;
  if (value.IsPlainScalar()) {
    if (std::optional<bool> on = c.Bool(member)) {
      values.dedupe.enabled = *on;
      keys.dedupe_enabled = true;
      return true;
    }
    return false;
  }
  if (value.kind != YamlKind::kMapping) {
    c.Error(value, key,
            fmt::format("`dedupe` must be false, true or a mapping, not {}", YamlKindName(value)),
            "write `dedupe: false`, or `dedupe: {window: 15m, key: \"{rule_id}|{actor}\"}`");
    return false;
  }
  const size_t errors = c.error_count();
  const auto members = c.Members(value, ToVector(kDedupeKeys), "dedupe mapping");
  DedupePolicy dedupe = values.dedupe;
  PolicyKeys set;
  set.dedupe_enabled = true;
  dedupe.enabled = true;
  if (auto it = members.find("enabled"); it != members.end()) {
    if (auto on = c.Bool(*it->second)) dedupe.enabled = *on;
  }
  if (auto it = members.find("window"); it != members.end()) {
    if (auto window = c.Duration(*it->second, std::chrono::seconds(1))) {
      dedupe.window = *window;
      set.dedupe_window = true;
    }
  }
  if (auto it = members.find("key"); it != members.end()) {
    if (auto text = c.String(*it->second)) {
      if (Result<void> ok = CheckKeyTemplate(*text); !ok) {
        c.Error(it->second->second, it->second->first, ok.error().message,
                "fields go in braces: \"{rule_id}|{actor}|{account_id}|{event_name}\" or a "
                "record path such as {sourceIPAddress}");
      } else {
        dedupe.key = std::move(*text);
        set.dedupe_key = true;
      }
    }
  }
  if (c.error_count() != errors) return false;
  values.dedupe = std::move(dedupe);
  keys.dedupe_enabled = true;
  keys.dedupe_window = keys.dedupe_window || set.dedupe_window;
  keys.dedupe_key = keys.dedupe_key || set.dedupe_key;
  return true;
}

bool ParseThreshold(YamlChecker& c, const YamlMember& member, RulePolicy& values) {
  const auto& [key, value] = member;
  if (value.kind != YamlKind::kMapping) {
    c.Error(value, key, fmt::format("`threshold` must be a mapping, not {}", YamlKindName(value)),
            "write `threshold: {count: 5, window: 10m, group_by: [sourceIPAddress]}`");
    return false;
  }
  const size_t errors = c.error_count();
  const auto members = c.Members(value, ToVector(kThresholdKeys), "threshold mapping");
  ThresholdPolicy threshold;
  for (const char* required : {"count", "window"}) {
    if (members.find(required) == members.end() && c.error_count() == errors) {
      c.Error(value, key, fmt::format("threshold is missing required key `{}`", required),
              "a threshold has `count` and `window` (and optionally `group_by`)");
    }
  }
  if (auto it = members.find("count"); it != members.end()) {
    if (auto count = c.Integer(*it->second, 1, 1000000)) threshold.count = *count;
  }
  if (auto it = members.find("window"); it != members.end()) {
    if (auto window = c.Duration(*it->second, std::chrono::seconds(1))) threshold.window = *window;
  }
  if (auto it = members.find("group_by"); it != members.end()) {
    if (auto list = c.StringList(*it->second)) threshold.group_by = std::move(*list);
  }
  if (c.error_count() != errors) return false;
  values.threshold = std::move(threshold);
  return true;
}

}  // namespace

// ---- YamlChecker ---------------------------------------------------------------------------

void YamlChecker::Error(const YamlNode& node, const YamlNode& fallback, std::string message,
                        std::string hint, bool secret) {
  const YamlNode& at = node.line > 0 ? node : fallback;
  Diagnostic d;
  d.where = Where(at);
  d.message = std::move(message);
  if (!secret && at.line > 0) {
    d.excerpt = std::string(LineOf(text_, at.line));
    d.caret_column = at.column;
  }
  d.hint = std::move(hint);
  out_.push_back(std::move(d));
}

std::map<std::string, const YamlMember*> CollectMembers(
    const YamlNode& mapping, const std::vector<std::string_view>& allowed,
    const MemberWording& wording, const MemberErrorFn& error) {
  std::map<std::string, const YamlMember*> members;
  for (const YamlMember& member : mapping.members) {
    const YamlNode& key = member.first;
    if (!key.IsScalar()) {
      error(key, mapping,
            fmt::format("{} must be a name, not {}", wording.key_of, YamlKindName(key)), {});
      continue;
    }
    const auto [it, inserted] = members.emplace(key.scalar, &member);
    if (!inserted) {
      error(key, mapping, fmt::format("duplicate key `{}`", key.scalar),
            fmt::format("`{}` is already given at line {}", key.scalar, it->second->first.line));
      continue;
    }
    if (std::find(allowed.begin(), allowed.end(), key.scalar) == allowed.end()) {
      members.erase(it);
      const std::string_view suggestion = ClosestMatch(key.scalar, allowed);
      error(key, mapping, fmt::format("unknown key `{}` in {}", key.scalar, wording.in_what),
            suggestion.empty()
                ? fmt::format("{} has the keys {}", wording.in_what, JoinQuotedNames(allowed))
                : fmt::format("did you mean `{}`?", suggestion));
    }
  }
  return members;
}

std::map<std::string, const YamlMember*> YamlChecker::Members(
    const YamlNode& mapping, const std::vector<std::string_view>& allowed, std::string_view what) {
  const std::string key_of = fmt::format("a key in {}", what);
  return CollectMembers(
      mapping, allowed, MemberWording{key_of, what},
      [this](const YamlNode& node, const YamlNode& fallback, std::string message,
             std::string hint) { Error(node, fallback, std::move(message), std::move(hint)); });
}

std::optional<std::string> YamlChecker::String(const YamlMember& member, bool secret) {
  const auto& [key, value] = member;
  if (value.kind != YamlKind::kScalar) {
    Error(value, key, fmt::format("`{}` must be a string, not {}", key.scalar, YamlKindName(value)),
          value.kind == YamlKind::kMapping
              ? "quote the value: a `{` at the start of a plain YAML value opens a mapping"
              : "",
          secret);
    return std::nullopt;
  }
  if (Trim(value.scalar).empty()) {
    Error(value, key, fmt::format("`{}` is empty", key.scalar), "", secret);
    return std::nullopt;
  }
  return value.scalar;
}

std::optional<bool> YamlChecker::Bool(const YamlMember& member) {
  const auto& [key, value] = member;
  if (value.IsPlainScalar()) {
    const std::string& s = value.scalar;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  Error(value, key, fmt::format("`{}` must be true or false", key.scalar),
        value.IsScalar() && !value.IsPlainScalar() ? "write it without quotes" : "");
  return std::nullopt;
}

std::optional<int64_t> YamlChecker::Integer(const YamlMember& member, int64_t min, int64_t max) {
  const auto& [key, value] = member;
  int64_t n = 0;
  const std::string& s = value.scalar;
  const bool ok = value.IsPlainScalar() && !s.empty() && std::all_of(s.begin(), s.end(), IsDigit) &&
                  s.size() <= 18 &&
                  std::from_chars(s.data(), s.data() + s.size(), n).ec == std::errc();
  if (!ok || n < min || n > max) {
    Error(value, key,
          fmt::format("`{}` must be a whole number from {} to {}", key.scalar, min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<std::chrono::seconds> YamlChecker::Duration(const YamlMember& member,
                                                          std::chrono::seconds min) {
  std::optional<std::string> text = String(member);
  if (!text) return std::nullopt;
  Result<std::chrono::seconds> d = ParseDuration(*text);
  if (d && *d < min) {
    d = Fail(ErrorCode::kInvalidArgument,
             fmt::format("`{}` must be at least {}", member.first.scalar, FormatDuration(min)));
  }
  if (!d) {
    Error(member.second, member.first, d.error().message,
          "a duration is a number and a unit: 30s, 15m, 2h, 1d (or combined: 1h30m)");
    return std::nullopt;
  }
  return *d;
}

std::optional<std::vector<std::string>> YamlChecker::StringList(const YamlMember& member) {
  const auto& [key, value] = member;
  if (value.kind == YamlKind::kScalar) {
    std::optional<std::string> one = String(member);
    if (!one) return std::nullopt;
    return std::vector<std::string>{std::move(*one)};
  }
  if (value.kind != YamlKind::kSequence || value.items.empty()) {
    Error(value, key,
          fmt::format("`{}` must be a string or a non-empty list of strings, not {}", key.scalar,
                      value.kind == YamlKind::kSequence ? "an empty list" : YamlKindName(value)));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const YamlNode& item : value.items) {
    if (item.kind != YamlKind::kScalar || Trim(item.scalar).empty()) {
      Error(item, key, fmt::format("each item of `{}` must be a non-empty string", key.scalar));
      ok = false;
      continue;
    }
    out.push_back(item.scalar);
  }
  if (!ok) return std::nullopt;
  return out;
}

// ---- Free functions --------------------------------------------------------------------------

const char* YamlKindName(const YamlNode& node) {
  switch (node.kind) {
    case YamlKind::kNull:
      return "nothing";
    case YamlKind::kScalar:
      return "a string";
    case YamlKind::kSequence:
      return "a list";
    case YamlKind::kMapping:
      return "a mapping";
  }
  return "a value";
}

std::string JoinQuotedNames(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) {
    if (!out.empty()) out += ", ";
    out += fmt::format("`{}`", n);
  }
  return out;
}

Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  auto fail = [&](std::string why) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("invalid duration `{}`: {}", text, why));
  };
  if (text.empty()) return fail("empty");
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    if (i == start) return fail("expected a number");
    if (i - start > 9) return fail("too large");
    int64_t n = 0;
    std::from_chars(text.data() + start, text.data() + i, n);
    if (i == text.size()) return fail("missing a unit (s, m, h or d)");
    int64_t unit = 0;
    switch (text[i]) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        return fail(fmt::format("unknown unit `{}` (s, m, h or d)", text[i]));
    }
    ++i;
    total += n * unit;
    if (total > kMaxDurationSeconds) return fail("longer than 3650d");
  }
  return std::chrono::seconds(total);
}

std::string FormatDuration(std::chrono::seconds duration) {
  const int64_t s = duration.count();
  if (s != 0 && s % 86400 == 0) return fmt::format("{}d", s / 86400);
  if (s != 0 && s % 3600 == 0) return fmt::format("{}h", s / 3600);
  if (s != 0 && s % 60 == 0) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

Result<void> CheckCidr(std::string_view text) {
  const std::string s(text);
  const size_t slash = s.find('/');
  const std::string address = s.substr(0, slash);
  std::array<unsigned char, 16> bytes{};
  int bits = 0;
  if (inet_pton(AF_INET, address.c_str(), bytes.data()) == 1) {
    bits = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), bytes.data()) == 1) {
    bits = 128;
  } else {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid CIDR `{}`: `{}` is not an IPv4 or IPv6 address", s, address));
  }
  if (slash == std::string::npos) return Ok();
  const std::string_view len_text = std::string_view(s).substr(slash + 1);
  int len = -1;
  if (len_text.empty() || len_text.size() > 3 ||
      !std::all_of(len_text.begin(), len_text.end(), IsDigit) ||
      std::from_chars(len_text.data(), len_text.data() + len_text.size(), len).ec != std::errc() ||
      len > bits) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid CIDR `{}`: the prefix length must be 0 to {}", s, bits));
  }
  bool host_bits = false;
  std::array<unsigned char, 16> network = bytes;
  for (int bit = len; bit < bits; ++bit) {
    const unsigned char mask = static_cast<unsigned char>(0x80u >> (bit % 8));
    if (network[bit / 8] & mask) host_bits = true;
    network[bit / 8] = static_cast<unsigned char>(network[bit / 8] & ~mask);
  }
  if (host_bits) {
    char buffer[INET6_ADDRSTRLEN] = {};
    inet_ntop(bits == 32 ? AF_INET : AF_INET6, network.data(), buffer, sizeof buffer);
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("invalid CIDR `{}`: host bits are set (did you mean `{}/{}`?)", s,
                            buffer, len));
  }
  return Ok();
}

const std::vector<std::string_view>& ScheduleNames() {
  static const std::vector<std::string_view> kNames = {"always", "outside_business_hours",
                                                       "inside_business_hours"};
  return kNames;
}

std::optional<Schedule> ParseSchedule(std::string_view name) {
  if (name == "always") return Schedule::kAlways;
  if (name == "outside_business_hours") return Schedule::kOutsideBusinessHours;
  if (name == "inside_business_hours") return Schedule::kInsideBusinessHours;
  return std::nullopt;
}

const char* ScheduleName(Schedule schedule) {
  switch (schedule) {
    case Schedule::kAlways:
      return "always";
    case Schedule::kOutsideBusinessHours:
      return "outside_business_hours";
    case Schedule::kInsideBusinessHours:
      return "inside_business_hours";
  }
  return "always";
}

const std::vector<std::string_view>& RulePolicyKeyNames() {
  static const std::vector<std::string_view> kNames = {"enabled", "schedule", "suppress", "dedupe",
                                                       "threshold"};
  return kNames;
}

const std::vector<std::string_view>& PolicyKeyNames() {
  static const std::vector<std::string_view> kNames = {"enabled",  "severity", "schedule",
                                                       "suppress", "dedupe",   "threshold"};
  return kNames;
}

bool ParsePolicyKey(YamlChecker& c, const YamlMember& member, RulePolicy& values,
                    PolicyKeys& keys) {
  const auto& [key, value] = member;
  const std::string& name = key.scalar;
  if (name == "enabled") {
    std::optional<bool> on = c.Bool(member);
    if (!on) return false;
    values.enabled = *on;
    keys.enabled = true;
    return true;
  }
  if (name == "severity") {
    std::optional<std::string> text = c.String(member);
    if (!text) return false;
    std::optional<Severity> severity = ParseSeverity(*text);
    if (!severity) {
      const std::string_view suggestion = ClosestMatch(*text, SeverityNames());
      std::string hint = fmt::format("severity is one of {}", JoinQuotedNames(SeverityNames()));
      if (!suggestion.empty()) hint = fmt::format("did you mean `{}`? {}", suggestion, hint);
      c.Error(value, key, fmt::format("unknown severity `{}`", *text), hint);
      return false;
    }
    values.severity = *severity;
    keys.severity = true;
    return true;
  }
  if (name == "schedule") {
    std::optional<std::string> text = c.String(member);
    if (!text) return false;
    std::optional<Schedule> schedule = ParseSchedule(*text);
    if (!schedule) {
      const std::string_view suggestion = ClosestMatch(*text, ScheduleNames());
      std::string hint = fmt::format("schedule is one of {}", JoinQuotedNames(ScheduleNames()));
      if (!suggestion.empty()) hint = fmt::format("did you mean `{}`? {}", suggestion, hint);
      c.Error(value, key, fmt::format("unknown schedule `{}`", *text), hint);
      return false;
    }
    values.schedule = *schedule;
    keys.schedule = true;
    return true;
  }
  if (name == "suppress") {
    if (!ParseSuppress(c, member, values)) return false;
    keys.suppress = true;
    return true;
  }
  if (name == "dedupe") return ParseDedupe(c, member, values, keys);
  if (name == "threshold") {
    if (!ParseThreshold(c, member, values)) return false;
    keys.threshold = true;
    return true;
  }
  c.Error(key, key, fmt::format("`{}` is not a policy key", name));
  return false;
}

std::optional<PolicyLayer> ParsePolicyMapping(YamlChecker& c, const YamlMember& member,
                                              std::string_view what) {
  const auto& [key, value] = member;
  PolicyLayer layer;
  if (value.kind == YamlKind::kNull) return layer;
  if (value.kind != YamlKind::kMapping) {
    c.Error(value, key, fmt::format("{} must be a mapping, not {}", what, YamlKindName(value)),
            fmt::format("its keys are {}", JoinQuotedNames(PolicyKeyNames())));
    return std::nullopt;
  }
  const size_t errors = c.error_count();
  const auto members = c.Members(value, PolicyKeyNames(), what);
  // In file order, so that diagnostics come out in order.
  std::vector<const YamlMember*> ordered;
  for (const auto& [name, m] : members) ordered.push_back(m);
  std::sort(ordered.begin(), ordered.end(), [](const YamlMember* a, const YamlMember* b) {
    return a->first.offset < b->first.offset;
  });
  for (const YamlMember* m : ordered) ParsePolicyKey(c, *m, layer.values, layer.keys);
  if (c.error_count() != errors) return std::nullopt;
  return layer;
}

}  // namespace tw::rules
