// SuppressStage: per-rule `suppress:` conditions (rules::SuppressCondition).
//
// A condition names a field (an Alert field or a dotted record path, alert/record_fields.h) and
// one kind of test; it holds when any value of the field passes the test:
//   equals / in   the value is one of the strings, exactly;
//   cidr          the value is an IPv4 or IPv6 address inside one of the networks (a value that
//                 is not an IP address, e.g. "AWS Internal" or a service name, never matches);
//   prefix        the value starts with one of the strings;
//   regex         RE2, full match (anchored at both ends), on the value.
// An absent field never matches. The alert is suppressed when any of its rule's conditions holds:
// it is kept with suppressed = true and suppressed_by = the condition's name (or a rendering
// such as "sourceIPAddress cidr 10.0.0.0/8"), so that the outbox records it and `alerts list
// --suppressed` shows it; later stages leave suppressed alerts alone.
//
// Thread-safety: as Stage. Conditions are compiled once, in Create.
#pragma once

#include <re2/re2.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "alert/policy_table.h"
#include "alert/record_fields.h"
#include "alert/stage.h"
#include "match/ir.h"

namespace tw::alert {

class SuppressStage final : public Stage {
 public:
  // kInvalidArgument when a condition has no field, no test or more than one kind of test, a
  // CIDR that does not parse, or a regex RE2 rejects; the message names the rule and condition.
  [[nodiscard]] static Result<std::unique_ptr<SuppressStage>> Create(
      std::shared_ptr<const PolicyTable> policies);

  const char* name() const override { return "suppress"; }
  [[nodiscard]] Result<void> Process(std::vector<Alert>& alerts, const StageContext& ctx) override;

  uint64_t suppressed() const { return suppressed_; }

 private:
  struct Compiled {
    std::string field;
    std::string name;
    std::vector<std::string> equals;
    std::vector<match::CidrBlock> cidrs;
    std::vector<std::string> prefixes;
    std::unique_ptr<re2::RE2> regex;
    bool Matches(const std::string& value) const;
  };
  using Conditions = std::vector<Compiled>;

  [[nodiscard]] static Result<Conditions> Compile(const std::string& rule_id,
                                                  const std::vector<rules::SuppressCondition>& in);

  std::shared_ptr<const PolicyTable> policies_;
  std::map<std::string, Conditions, std::less<>> per_rule_;
  Conditions fallback_;
  RecordFields fields_;
  uint64_t suppressed_ = 0;
};

// The default name of a condition: "<field> <kind> <values, comma-separated>".
std::string RenderSuppressCondition(const rules::SuppressCondition& condition);

}  // namespace tw::alert
