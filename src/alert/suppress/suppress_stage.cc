#include "alert/suppress/suppress_stage.h"

#include "common/strings.h"
#include "match/evaluator.h"

namespace tw::alert {
namespace {

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    out += v[i];
  }
  return out;
}

}  // namespace

std::string RenderSuppressCondition(const rules::SuppressCondition& c) {
  if (!c.equals.empty())
    return c.field + (c.equals.size() == 1 ? " equals " : " in ") + Join(c.equals);
  if (!c.cidr.empty()) return c.field + " cidr " + Join(c.cidr);
  if (!c.prefix.empty()) return c.field + " prefix " + Join(c.prefix);
  return c.field + " regex " + c.regex;
}

bool SuppressStage::Compiled::Matches(const std::string& value) const {
  for (const auto& e : equals) {
    if (value == e) return true;
  }
  for (const auto& block : cidrs) {
    if (match::CidrContains(block, value)) return true;
  }
  for (const auto& p : prefixes) {
    if (StartsWith(value, p)) return true;
  }
  return regex != nullptr && re2::RE2::FullMatch(value, *regex);
}

Result<SuppressStage::Conditions> SuppressStage::Compile(
    const std::string& rule_id, const std::vector<rules::SuppressCondition>& in) {
  Conditions out;
  for (size_t i = 0; i < in.size(); ++i) {
    const rules::SuppressCondition& c = in[i];
    auto bad = [&](const std::string& what) {
      return Fail(ErrorCode::kInvalidArgument,
                  "rule " + rule_id + ": suppress[" + std::to_string(i) + "]: " + what);
    };
    if (c.field.empty()) return bad("a condition needs `field`");
    const int kinds = !c.equals.empty() + !c.cidr.empty() + !c.prefix.empty() + !c.regex.empty();
    if (kinds == 0) return bad("a condition needs one of equals, in, cidr, prefix, regex");
    if (kinds > 1) return bad("a condition takes one of equals/in, cidr, prefix, regex");
    Compiled compiled;
    compiled.field = c.field;
    compiled.name = c.name.empty() ? RenderSuppressCondition(c) : c.name;
    compiled.equals = c.equals;
    compiled.prefixes = c.prefix;
    for (const auto& text : c.cidr) {
      match::CidrBlock block;
      if (!match::ParseCidr(text, &block)) {
        return bad("\"" + text + "\" is not a CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)");
      }
      compiled.cidrs.push_back(block);
    }
    if (!c.regex.empty()) {
      RE2::Options options;
      options.set_log_errors(false);
      compiled.regex = std::make_unique<re2::RE2>(c.regex, options);
      if (!compiled.regex->ok()) return bad("regex: " + compiled.regex->error());
    }
    out.push_back(std::move(compiled));
  }
  return out;
}

Result<std::unique_ptr<SuppressStage>> SuppressStage::Create(
    std::shared_ptr<const PolicyTable> policies) {
  auto stage = std::unique_ptr<SuppressStage>(new SuppressStage());
  auto fallback = Compile("(defaults)", policies->fallback().suppress);
  if (!fallback) return tl::unexpected(fallback.error());
  stage->fallback_ = std::move(*fallback);
  for (const auto& [id, policy] : policies->per_rule()) {
    auto compiled = Compile(id, policy.suppress);
    if (!compiled) return tl::unexpected(compiled.error());
    stage->per_rule_.emplace(id, std::move(*compiled));
  }
  stage->policies_ = std::move(policies);
  return stage;
}

Result<void> SuppressStage::Process(std::vector<Alert>& alerts, const StageContext& ctx) {
  (void)ctx;
  for (Alert& alert : alerts) {
    if (alert.suppressed) continue;
    const auto it = per_rule_.find(alert.rule_id);
    const Conditions& conditions = it == per_rule_.end() ? fallback_ : it->second;
    if (conditions.empty()) continue;
    // A record that does not parse still lets conditions on Alert fields work.
    (void)fields_.Load(alert);
    for (const Compiled& c : conditions) {
      bool hit = false;
      for (const std::string& value : fields_.Values(c.field)) {
        if (c.Matches(value)) {
          hit = true;
          break;
        }
      }
      if (hit) {
        alert.suppressed = true;
        alert.suppressed_by = c.name;
        ++suppressed_;
        break;
      }
    }
  }
  return Ok();
}

}  // namespace tw::alert
