// Validation follows event-ruler's JsonRuleCompiler (aws/event-ruler@337e8d9), whose checks AWS
// EventBridge applies, and uses AWS's own reason strings where the LocalStack AWS-validated
// snapshot recorded them (docs: shared/docs/pattern-languages.md §2.5). Where the two
// differ in *order* of checks, the AWS-recorded outcome decides (for example a CIDR with both a
// bad address and a bad mask reports the mask).
#include "match/eventbridge/parser.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <utility>

#include "match/evaluator.h"
#include "match/eventbridge/pattern_json.h"

namespace tw::match::eventbridge {
namespace {

using Kind = PatternJson::Kind;

constexpr std::string_view kOr = "$or";
constexpr std::string_view kAnythingButTypes =
    "Value of anything-but must be an array or single string/number value.";
constexpr std::string_view kAnythingButList =
    "Inside anything but list, start|null|boolean is not supported.";
constexpr std::string_view kAnythingButMixed =
    "Inside anything but list, either all values are number or string, mixed type is not "
    "supported";
constexpr std::string_view kAnythingButFoldList =
    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.";

bool IsOperatorName(std::string_view key) {
  return key == "prefix" || key == "suffix" || key == "anything-but" || key == "numeric" ||
         key == "exists" || key == "cidr" || key == "equals-ignore-case" || key == "wildcard";
}

// event-ruler reads `"$or": [...]` as a disjunction only when the array holds two or more
// objects and none of them is a match expression; otherwise "$or" is a plain field name.
bool IsOrRelationship(const PatternJson& value) {
  if (!value.IsArray() || value.items.size() < 2) return false;
  for (const PatternJson& item : value.items) {
    if (!item.IsObject()) return false;
    for (const auto& [key, unused] : item.members) {
      if (IsOperatorName(key)) return false;
    }
  }
  return true;
}

std::vector<std::string> SplitKey(std::string_view key) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    if (dot == std::string_view::npos) {
      parts.emplace_back(key.substr(start));
      return parts;
    }
    parts.emplace_back(key.substr(start, dot - start));
    start = dot + 1;
  }
}

PatternField& FieldFor(PatternObject& object, const std::string& key) {
  for (PatternField& f : object.fields) {
    if (f.key == key) return f;
  }
  object.fields.push_back(PatternField{key, std::nullopt, {}});
  return object.fields.back();
}

size_t SaturatingMul(size_t a, size_t b) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a) {
    return std::numeric_limits<size_t>::max();
  }
  return a * b;
}

size_t CountCombinations(const PatternObject& object) {
  size_t n = 1;
  for (const PatternField& f : object.fields) n = SaturatingMul(n, CountCombinations(f.object));
  for (const auto& group : object.or_groups) {
    size_t sum = 0;
    for (const PatternObject& alt : group) {
      sum = std::min(std::numeric_limits<size_t>::max() - 1, sum + CountCombinations(alt));
    }
    n = SaturatingMul(n, sum);
  }
  return n;
}

class PatternParser {
 public:
  explicit PatternParser(const PatternLimits& limits) : limits_(limits) {}

  Result<EventPattern> Parse(std::string_view text) {
    if (limits_.max_pattern_chars != 0) {
      const size_t chars = static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
      if (chars > limits_.max_pattern_chars) {
        return Error(
            fmt::format("Event pattern is longer than {} characters", limits_.max_pattern_chars));
      }
    }
    auto json = ParsePatternJson(text);
    if (!json) return Error(json.error().message);
    if (!json->IsObject()) return Error("Filter is not an object");
    EventPattern pattern;
    if (!Object(*json, pattern.root, 1)) return Error(reason_);
    pattern.or_combinations = CountCombinations(pattern.root);
    if (pattern.or_combinations > limits_.max_or_combinations) {
      labels_.clear();
      return Error(fmt::format("The $or alternatives expand into more than {} combinations",
                               limits_.max_or_combinations));
    }
    return pattern;
  }

 private:
  tl::unexpected<tw::Error> Error(std::string_view reason) const {
    std::string message = "Event pattern is not valid. Reason: ";
    message += reason;
    if (!labels_.empty()) {
      message += " (at ";
      for (size_t i = 0; i < labels_.size(); ++i) {
        if (i != 0 && labels_[i].front() != '[') message += '.';
        message += labels_[i];
      }
      message += ')';
    }
    return Fail(ErrorCode::kInvalidArgument, std::move(message));
  }

  bool Bad(std::string_view reason) {
    reason_ = std::string(reason);
    return false;
  }

  // Parses the members of `json` (an object) into `into`.
  bool Object(const PatternJson& json, PatternObject& into, int depth) {
    if (depth > limits_.max_depth) {
      return Bad(fmt::format("Event pattern is nested deeper than {} levels", limits_.max_depth));
    }
    if (json.members.empty()) return Bad("Empty objects are not allowed");
    for (const auto& [key, value] : json.members) {
      labels_.push_back(key);
      if (key == kOr && IsOrRelationship(value)) {
        std::vector<PatternObject> group;
        for (size_t i = 0; i < value.items.size(); ++i) {
          labels_.push_back(fmt::format("[{}]", i));
          group.emplace_back();
          if (!Object(value.items[i], group.back(), depth + 1)) return false;
          labels_.pop_back();
        }
        into.or_groups.push_back(std::move(group));
        labels_.pop_back();
        continue;
      }
      if (!value.IsObject() && !value.IsArray()) {
        return Bad(fmt::format("\"{}\" must be an object or an array", key));
      }
      // A dotted key is a path: walk (or create) the trie nodes it names.
      const std::vector<std::string> parts =
          key == kOr ? std::vector<std::string>{key} : SplitKey(key);
      PatternObject* object = &into;
      for (size_t i = 0; i + 1 < parts.size(); ++i) object = &FieldFor(*object, parts[i]).object;
      PatternField& field = FieldFor(*object, parts.back());
      if (value.IsObject()) {
        if (!Object(value, field.object, depth + 1)) return false;
      } else {
        MatcherList list;
        if (!Leaf(value, list)) return false;
        list.seq = next_seq_++;
        field.leaf = std::move(list);  // the last reference to a path wins
      }
      labels_.pop_back();
    }
    return true;
  }

  bool Leaf(const PatternJson& array, MatcherList& out) {
    if (array.items.empty()) return Bad("Empty arrays are not allowed");
    for (const PatternJson& item : array.items) {
      Matcher m;
      switch (item.kind) {
        case Kind::kString:
          m.kind = Matcher::Kind::kString;
          m.strings.push_back(item.text);
          break;
        case Kind::kNumber:
          m.kind = Matcher::Kind::kNumber;
          m.numbers.push_back(item.number);
          break;
        case Kind::kTrue:
          m.kind = Matcher::Kind::kTrue;
          break;
        case Kind::kFalse:
          m.kind = Matcher::Kind::kFalse;
          break;
        case Kind::kNull:
          m.kind = Matcher::Kind::kNull;
          break;
        case Kind::kObject:
          if (!MatchExpression(item, m)) return false;
          break;
        case Kind::kArray:
          return Bad("Match value must be String, number, true, false, or null");
      }
      out.matchers.push_back(std::move(m));
    }
    return true;
  }

  bool OnlyOneKey(const PatternJson& object) {
    if (object.members.size() > 1) return Bad("Only one key allowed in match expression");
    return true;
  }

  bool MatchExpression(const PatternJson& expr, Matcher& m) {
    if (expr.members.empty()) return Bad("Match expression name not found");
    const std::string& op = expr.members[0].first;
    const PatternJson& v = expr.members[0].second;
    if (op == "prefix" || op == "suffix") {
      m.kind = op == "prefix" ? Matcher::Kind::kPrefix : Matcher::Kind::kSuffix;
      const std::string type_error = op + " match pattern must be a string";
      if (v.IsString()) {
        m.strings.push_back(v.text);
      } else if (v.IsObject() && !v.members.empty() && v.members[0].first == "equals-ignore-case") {
        const PatternJson& inner = v.members[0].second;
        if (!inner.IsString()) return Bad("equals-ignore-case match pattern must be a string");
        if (!OnlyOneKey(v)) return false;
        m.fold = true;
        m.strings.push_back(inner.text);
      } else {
        return Bad(type_error);
      }
    } else if (op == "equals-ignore-case") {
      if (!v.IsString()) return Bad("equals-ignore-case match pattern must be a string");
      m.kind = Matcher::Kind::kEqualsFold;
      m.strings.push_back(v.text);
    } else if (op == "wildcard") {
      if (!v.IsString()) return Bad("wildcard match pattern must be a string");
      if (!Wildcard(v.text)) return false;
      m.kind = Matcher::Kind::kWildcard;
      m.strings.push_back(v.text);
    } else if (op == "numeric") {
      if (!Numeric(v, m)) return false;
    } else if (op == "exists") {
      if (v.kind != Kind::kTrue && v.kind != Kind::kFalse) {
        return Bad("exists match pattern must be either true or false.");
      }
      m.kind = v.kind == Kind::kTrue ? Matcher::Kind::kExists : Matcher::Kind::kAbsent;
    } else if (op == "cidr") {
      // AWS's message for a non-string CIDR really does say "prefix" (aws-validated).
      if (!v.IsString()) return Bad("prefix match pattern must be a string");
      CidrBlock block;
      if (!Cidr(v.text, &block)) return false;
      m.kind = Matcher::Kind::kCidr;
      m.cidrs.push_back(block);
    } else if (op == "anything-but") {
      if (!AnythingBut(v, m)) return false;
    } else {
      return Bad("Unrecognized match type " + op);
    }
    return OnlyOneKey(expr);
  }

  // EventBridge wildcard text: `*` is a wildcard, `\*` and `\\` are escapes; any other escape
  // and two consecutive wildcards are errors. Positions are 0-based offsets of the offending
  // character, as event-ruler reports them.
  bool Wildcard(std::string_view text) {
    bool prev_star = false;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\') {
        if (i + 1 >= text.size() || (text[i + 1] != '*' && text[i + 1] != '\\')) {
          return Bad(fmt::format("Invalid escape character at pos {}", i + 1));
        }
        ++i;
        prev_star = false;
        continue;
      }
      if (text[i] == '*') {
        if (prev_star) return Bad(fmt::format("Consecutive wildcard characters at pos {}", i));
        prev_star = true;
        continue;
      }
      prev_star = false;
    }
    return true;
  }

  bool Cidr(const std::string& text, CidrBlock* block) {
    const size_t slash = text.find('/');
    if (slash == std::string::npos || text.find('/', slash + 1) != std::string::npos) {
      return Bad("Malformed CIDR, one '/' required");
    }
    const std::string ip = text.substr(0, slash);
    const std::string bits = text.substr(slash + 1);
    if (bits.empty() || bits.size() > 9 ||
        !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Bad("Malformed CIDR, mask bits must be an integer");
    }
    const int mask = std::stoi(bits);
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
      if (mask > 32) return Bad("IPv4 mask bits must be < 32");
    } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
      if (mask > 128) return Bad("IPv6 mask bits must be < 128");
    } else {
      return Bad("Nonstandard IP address: " + ip);
    }
    if (!ParseCidr(text, block)) return Bad("Malformed CIDR, one '/' required");
    return true;
  }

  bool Numeric(const PatternJson& v, Matcher& m) {
    if (!v.IsArray()) return Bad("Value of numeric must be an array.");
    const auto& items = v.items;
    auto op_at = [&](size_t i, std::string* op) {
      if (i >= items.size()) return Bad("Invalid member in numeric match: ]");
      if (!items[i].IsString()) {
        return Bad("Invalid member in numeric match: " + DescribeToken(items[i]));
      }
      *op = items[i].text;
      return true;
    };
    auto value_at = [&](size_t i, std::string_view name, double* out) {
      if (i >= items.size() || !items[i].IsNumber()) {
        return Bad(fmt::format("Value of {} must be numeric", name));
      }
      *out = items[i].number;
      return true;
    };
    auto end_at = [&](size_t i) {
      if (i < items.size()) return Bad("Too many elements in numeric expression");
      return true;
    };
    std::string op;
    if (!op_at(0, &op)) return false;
    if (op == "=") {
      double value = 0;
      if (!value_at(1, "equals", &value) || !end_at(2)) return false;
      m.kind = Matcher::Kind::kNumber;
      m.numbers.push_back(value);
      return true;
    }
    m.kind = Matcher::Kind::kRange;
    if (op == "<" || op == "<=") {
      if (!value_at(1, op, &m.hi) || !end_at(2)) return false;
      m.hi_inclusive = op == "<=";
      // No lower bound: -infinity (an event's -1e999) is below every bound, so it is included.
      m.lo = -std::numeric_limits<double>::infinity();
      m.lo_inclusive = true;
      return true;
    }
    if (op != ">" && op != ">=") return Bad("Unrecognized numeric range operator: " + op);
    if (!value_at(1, op, &m.lo)) return false;
    m.lo_inclusive = op == ">=";
    if (items.size() == 2) {
      // No upper bound: +infinity (an event's 1e999) is above every bound, so it is included.
      m.hi = std::numeric_limits<double>::infinity();
      m.hi_inclusive = true;
      return true;
    }
    std::string upper;
    if (!op_at(2, &upper)) return false;
    if (upper == "=" || upper == ">" || upper == ">=") {
      return Bad("Bad numeric range operator: " + upper);
    }
    if (upper != "<" && upper != "<=") return Bad("Unrecognized numeric range operator: " + upper);
    if (!value_at(3, upper, &m.hi) || !end_at(4)) return false;
    m.hi_inclusive = upper == "<=";
    return true;
  }

  // One string or a non-empty list of strings, for the anything-but sub-operators.
  bool StringList(const PatternJson& v, std::string_view type_error, bool allow_empty_string,
                  std::vector<std::string>* out) {
    if (v.IsObject()) return Bad(kAnythingButTypes);
    std::vector<const PatternJson*> values;
    if (v.IsArray()) {
      if (v.items.empty()) return Bad("Empty arrays are not allowed");
      for (const PatternJson& item : v.items) values.push_back(&item);
    } else {
      values.push_back(&v);
    }
    for (const PatternJson* item : values) {
      if (!item->IsString()) return Bad(type_error);
      if (!allow_empty_string && item->text.empty()) return Bad("Null prefix/suffix not allowed");
      out->push_back(item->text);
    }
    return true;
  }

  bool AnythingBut(const PatternJson& v, Matcher& m) {
    switch (v.kind) {
      case Kind::kString:
        m.kind = Matcher::Kind::kNotStrings;
        m.strings.push_back(v.text);
        return true;
      case Kind::kNumber:
        m.kind = Matcher::Kind::kNotNumbers;
        m.numbers.push_back(v.number);
        return true;
      case Kind::kNull:
      case Kind::kTrue:
      case Kind::kFalse:
        return Bad(kAnythingButTypes);
      case Kind::kArray: {
        bool strings = false;
        bool numbers = false;
        for (const PatternJson& item : v.items) {
          if (item.IsString()) {
            strings = true;
            m.strings.push_back(item.text);
          } else if (item.IsNumber()) {
            numbers = true;
            m.numbers.push_back(item.number);
          } else {
            return Bad(kAnythingButList);
          }
        }
        if (strings == numbers) return Bad(kAnythingButMixed);
        m.kind = strings ? Matcher::Kind::kNotStrings : Matcher::Kind::kNotNumbers;
        return true;
      }
      case Kind::kObject:
        break;
    }
    if (v.members.empty()) return Bad("Anything-But expression name not found");
    const std::string& op = v.members[0].first;
    const PatternJson& inner = v.members[0].second;
    if (op == "prefix" || op == "suffix") {
      m.kind = op == "prefix" ? Matcher::Kind::kNotPrefix : Matcher::Kind::kNotSuffix;
      if (!StringList(inner, "prefix/suffix match pattern must be a string", false, &m.strings)) {
        return false;
      }
    } else if (op == "wildcard") {
      m.kind = Matcher::Kind::kNotWildcard;
      if (!StringList(inner, "wildcard match pattern must be a string", true, &m.strings)) {
        return false;
      }
      for (const std::string& w : m.strings) {
        if (!Wildcard(w)) return false;
      }
    } else if (op == "equals-ignore-case") {
      m.kind = Matcher::Kind::kNotEqualsFold;
      if (!StringList(inner, kAnythingButFoldList, true, &m.strings)) return false;
    } else {
      return Bad("Unsupported anything-but pattern: " + op);
    }
    return OnlyOneKey(v);
  }

  const PatternLimits& limits_;
  std::vector<std::string> labels_;  // the path to the member being parsed, for errors
  std::string reason_;
  uint32_t next_seq_ = 0;
};

}  // namespace

Result<EventPattern> ParseEventPattern(std::string_view text, const PatternLimits& limits) {
  return PatternParser(limits).Parse(text);
}

}  // namespace tw::match::eventbridge
