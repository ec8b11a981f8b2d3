#include "match/reference/eventbridge_reference.h"

#include <arpa/inet.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "match/reference/json_tree.h"

namespace tw::match::reference {
namespace {

using Kind = JsonValue::Kind;

// ---------------------------------------------------------------------------------------------
// Step 1: the pattern as plain rules.

// path -> (matcher array); std::map::operator[] assignment gives "later reference wins".
using Rule = std::map<std::string, const JsonValue*>;

bool IsOperator(const std::string& k) {
  return k == "prefix" || k == "suffix" || k == "anything-but" || k == "numeric" || k == "exists" ||
         k == "cidr" || k == "equals-ignore-case" || k == "wildcard";
}

bool IsOrArray(const JsonValue& v) {
  if (v.kind != Kind::kArray || v.array.size() < 2) return false;
  for (const JsonValue& alt : v.array) {
    if (alt.kind != Kind::kObject) return false;
    for (const auto& member : alt.members) {
      if (IsOperator(member.first)) return false;
    }
  }
  return true;
}

Result<void> Expand(const JsonValue& object, const std::string& prefix, std::vector<Rule>& rules) {
  if (object.members.empty()) return Fail(ErrorCode::kInvalidArgument, "empty object");
  for (const auto& [key, value] : object.members) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (key == "$or" && IsOrArray(value)) {
      std::vector<Rule> expanded;
      for (const JsonValue& alt : value.array) {
        std::vector<Rule> copy = rules;
        if (auto r = Expand(alt, prefix, copy); !r) return r;
        expanded.insert(expanded.end(), copy.begin(), copy.end());
      }
      rules = std::move(expanded);
    } else if (value.kind == Kind::kObject) {
      if (auto r = Expand(value, path, rules); !r) return r;
    } else if (value.kind == Kind::kArray) {
      if (value.array.empty()) return Fail(ErrorCode::kInvalidArgument, "empty array");
      for (Rule& rule : rules) rule[path] = &value;
    } else {
      return Fail(ErrorCode::kInvalidArgument, "a field must be an object or an array");
    }
    if (rules.size() > 1000) return Fail(ErrorCode::kInvalidArgument, "too many $or rules");
  }
  return Ok();
}

// ---------------------------------------------------------------------------------------------
// Step 2: the event as tuples.

struct Crossing {
  const JsonValue* array;
  size_t index;
};

struct Tuple {
  std::string path;
  const JsonValue* value;
  std::vector<Crossing> trail;
};

void Flatten(const JsonValue& v, const std::string& path, const std::vector<Crossing>& trail,
             const std::vector<Crossing>& pending, std::vector<Tuple>& out) {
  if (v.kind == Kind::kObject) {
    std::vector<Crossing> inner = trail;
    inner.insert(inner.end(), pending.begin(), pending.end());
    for (size_t i = 0; i < v.members.size(); ++i) {
      const std::string& key = v.members[i].first;
      if (v.Find(key) != &v.members[i].second) continue;  // duplicate key: the first one counts
      Flatten(v.members[i].second, path.empty() ? key : path + "." + key, inner, {}, out);
    }
  } else if (v.kind == Kind::kArray) {
    for (size_t i = 0; i < v.array.size(); ++i) {
      std::vector<Crossing> more = pending;
      more.push_back(Crossing{&v, i});
      Flatten(v.array[i], path, trail, more, out);
    }
  } else if (!path.empty()) {
    out.push_back(Tuple{path, &v, trail});
  }
}

// ---------------------------------------------------------------------------------------------
// Matchers, interpreted straight from the pattern JSON.

bool WildcardHere(const std::string& p, size_t i, const std::string& t, size_t j) {
  if (i == p.size()) return j == t.size();
  if (p[i] == '*') {
    for (size_t k = j; k <= t.size(); ++k) {
      if (WildcardHere(p, i + 1, t, k)) return true;
    }
    return false;
  }
  char want = p[i];
  size_t width = 1;
  if (want == '\\' && i + 1 < p.size()) {
    want = p[i + 1];
    width = 2;
  }
  return j < t.size() && t[j] == want && WildcardHere(p, i + width, t, j + 1);
}

bool InCidr(const std::string& cidr, const std::string& ip) {
  const size_t slash = cidr.find('/');
  if (slash == std::string::npos) return false;
  const std::string net = cidr.substr(0, slash);
  const int bits = std::stoi(cidr.substr(slash + 1));
  unsigned char a[16] = {}, b[16] = {};
  int family = AF_INET;
  if (inet_pton(AF_INET, net.c_str(), a) != 1) {
    family = AF_INET6;
    if (inet_pton(AF_INET6, net.c_str(), a) != 1) return false;
  }
  if (inet_pton(family, ip.c_str(), b) != 1) return false;
  for (int bit = 0; bit < bits; ++bit) {
    const int mask = 0x80 >> (bit % 8);
    if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) return false;
  }
  return true;
}

bool IsString(const JsonValue* v) { return v->kind == Kind::kString; }
bool IsNumber(const JsonValue* v) { return v->kind == Kind::kNumber; }

// `operand` is a string or a list of strings; true when `test` holds for one of them.
template <typename Test>
bool AnyOf(const JsonValue& operand, Test test) {
  if (operand.kind == Kind::kArray) {
    for (const JsonValue& o : operand.array) {
      if (o.kind == Kind::kString && test(o.string)) return true;
    }
    return false;
  }
  return operand.kind == Kind::kString && test(operand.string);
}

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// The anything-but forms: the value is a scalar (tuples always are) that is none of these.
Result<bool> AnythingBut(const JsonValue& arg, const JsonValue* v) {
  if (arg.kind == Kind::kString) return !(IsString(v) && v->string == arg.string);
  if (arg.kind == Kind::kNumber) return !(IsNumber(v) && v->number == arg.number);
  if (arg.kind == Kind::kArray) {
    for (const JsonValue& o : arg.array) {
      if (o.kind == Kind::kString && IsString(v) && v->string == o.string) return false;
      if (o.kind == Kind::kNumber && IsNumber(v) && v->number == o.number) return false;
    }
    return true;
  }
  if (arg.kind != Kind::kObject || arg.members.size() != 1) {
    return Fail(ErrorCode::kInvalidArgument, "bad anything-but");
  }
  const std::string& op = arg.members[0].first;
  const JsonValue& operand = arg.members[0].second;
  if (!IsString(v)) return true;
  const std::string& s = v->string;
  if (op == "prefix")
    return !AnyOf(operand, [&](const std::string& p) { return StartsWith(s, p); });
  if (op == "suffix") return !AnyOf(operand, [&](const std::string& p) { return EndsWith(s, p); });
  if (op == "wildcard") {
    return !AnyOf(operand, [&](const std::string& p) { return WildcardHere(p, 0, s, 0); });
  }
  if (op == "equals-ignore-case") {
    return !AnyOf(operand, [&](const std::string& p) { return FoldCase(p) == FoldCase(s); });
  }
  return Fail(ErrorCode::kInvalidArgument, "bad anything-but operator");
}

Result<bool> Numeric(const JsonValue& arg, const JsonValue* v) {
  if (arg.kind != Kind::kArray || arg.array.size() % 2 != 0 || arg.array.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "bad numeric");
  }
  if (!IsNumber(v)) return false;
  for (size_t i = 0; i < arg.array.size(); i += 2) {
    const std::string& op = arg.array[i].string;
    const double n = arg.array[i + 1].number;
    const double x = v->number;
    const bool ok = op == "="    ? x == n
                    : op == "<"  ? x < n
                    : op == "<=" ? x <= n
                    : op == ">"  ? x > n
                    : op == ">=" ? x >= n
                                 : false;
    if (!ok) return false;
  }
  return true;
}

// One element of a field's array against one event value.
Result<bool> Accepts(const JsonValue& m, const JsonValue* v) {
  switch (m.kind) {
    case Kind::kString:
      return IsString(v) && v->string == m.string;
    case Kind::kNumber:
      return IsNumber(v) && v->number == m.number;
    case Kind::kBool:
      return v->kind == Kind::kBool && v->boolean == m.boolean;
    case Kind::kNull:
      return v->kind == Kind::kNull;
    case Kind::kArray:
      return Fail(ErrorCode::kInvalidArgument, "nested array");
    case Kind::kObject:
      break;
  }
  if (m.members.size() != 1) return Fail(ErrorCode::kInvalidArgument, "one key per expression");
  const std::string& op = m.members[0].first;
  const JsonValue& arg = m.members[0].second;
  if (op == "anything-but") return AnythingBut(arg, v);
  if (op == "numeric") return Numeric(arg, v);
  if (op == "exists") return arg.boolean;  // a tuple exists; exists:false is handled by Solve
  if (!IsString(v)) return false;
  const std::string& s = v->string;
  if (op == "prefix" || op == "suffix") {
    std::string want = arg.kind == Kind::kString ? arg.string : "";
    std::string have = s;
    if (arg.kind == Kind::kObject) {
      const JsonValue* fold = arg.Find("equals-ignore-case");
      if (fold == nullptr) return Fail(ErrorCode::kInvalidArgument, "bad prefix/suffix");
      want = FoldCase(fold->string);
      have = FoldCase(s);
    }
    return op == "prefix" ? StartsWith(have, want) : EndsWith(have, want);
  }
  if (op == "equals-ignore-case") return FoldCase(s) == FoldCase(arg.string);
  if (op == "wildcard") return WildcardHere(arg.string, 0, s, 0);
  if (op == "cidr") return InCidr(arg.string, s);
  return Fail(ErrorCode::kInvalidArgument, "unknown operator " + op);
}

bool IsAbsentMatcher(const JsonValue& m) {
  return m.kind == Kind::kObject && m.members.size() == 1 && m.members[0].first == "exists" &&
         m.members[0].second.kind == Kind::kBool && !m.members[0].second.boolean;
}

// ---------------------------------------------------------------------------------------------
// Step 3: the search for a world.

using World = std::map<const JsonValue*, size_t>;

bool Visible(const Tuple& t, const World& w) {
  for (const Crossing& c : t.trail) {
    auto it = w.find(c.array);
    if (it != w.end() && it->second != c.index) return false;
  }
  return true;
}

// True when `v` is an array holding no value at all (only empty arrays, at any depth): choosing
// it as an array element would bind nothing.
bool Hollow(const JsonValue& v) {
  if (v.kind != Kind::kArray) return false;
  for (const JsonValue& item : v.array) {
    if (!Hollow(item)) return false;
  }
  return true;
}

class Search {
 public:
  Search(const std::vector<Tuple>& tuples,
         std::vector<std::pair<std::string, const JsonValue*>> fields)
      : tuples_(tuples), fields_(std::move(fields)) {}

  Result<bool> Run() {
    World w;
    std::vector<std::string> absent;
    return Solve(0, w, absent);
  }

 private:
  Result<bool> Solve(size_t i, const World& w, std::vector<std::string>& absent) {
    if (i == fields_.size()) return HideAll(absent, w);
    const auto& [path, matchers] = fields_[i];
    bool may_be_absent = false;
    for (const JsonValue& m : matchers->array) {
      if (IsAbsentMatcher(m)) {
        may_be_absent = true;
        continue;
      }
      for (const Tuple& t : tuples_) {
        if (t.path != path || !Visible(t, w)) continue;
        auto ok = Accepts(m, t.value);
        if (!ok) return ok;
        if (!*ok) continue;
        World next = w;
        for (const Crossing& c : t.trail) next[c.array] = c.index;
        auto r = Solve(i + 1, next, absent);
        if (!r || *r) return r;
      }
    }
    if (may_be_absent) {
      absent.push_back(path);
      auto r = Solve(i + 1, w, absent);
      absent.pop_back();
      return r;
    }
    return false;
  }

  // Extends `w` so that no tuple at an `absent` path stays visible.
  Result<bool> HideAll(const std::vector<std::string>& absent, const World& w) {
    for (const Tuple& t : tuples_) {
      bool wanted = false;
      for (const std::string& p : absent) wanted = wanted || p == t.path;
      if (!wanted || !Visible(t, w)) continue;
      for (const Crossing& c : t.trail) {
        if (w.count(c.array) != 0) continue;
        for (size_t j = 0; j < c.array->array.size(); ++j) {
          if (j == c.index || Hollow(c.array->array[j])) continue;
          World next = w;
          next[c.array] = j;
          auto r = HideAll(absent, next);
          if (!r || *r) return r;
        }
      }
      return false;
    }
    return true;
  }

  const std::vector<Tuple>& tuples_;
  std::vector<std::pair<std::string, const JsonValue*>> fields_;
};

}  // namespace

Result<bool> ReferenceMatchEventPattern(std::string_view pattern_json,
                                        std::string_view event_json) {
  auto pattern = ParseJson(pattern_json);
  if (!pattern) return Fail(ErrorCode::kInvalidArgument, pattern.error().message);
  if (pattern->kind != Kind::kObject) return Fail(ErrorCode::kInvalidArgument, "not an object");
  auto event = ParseJson(event_json);
  if (!event) return tl::unexpected(event.error());

  std::vector<Rule> rules(1);
  if (auto r = Expand(*pattern, "", rules); !r) return tl::unexpected(r.error());
  std::vector<Tuple> tuples;
  Flatten(*event, "", {}, {}, tuples);

  bool matched = false;
  for (const Rule& rule : rules) {
    std::vector<std::pair<std::string, const JsonValue*>> fields(rule.begin(), rule.end());
    auto r = Search(tuples, std::move(fields)).Run();
    if (!r) return r;
    matched = matched || *r;
  }
  return matched;
}

}  // namespace tw::match::reference
