// SinkFilter: the alert filters every sink shares (config keys `min_severity`, `rules`,
// `exclude_rules`), so that each sink's Accepts() is the same one-liner.
//
// An alert passes when its severity is at least `min_severity` (when set), its rule id is in
// `rules` (when that list is not empty) and not in `exclude_rules`. Plain value type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "alert/alert.h"

namespace tw::sinks {

struct SinkFilter {
  std::optional<rules::Severity> min_severity;
  std::vector<std::string> rules;          // include list; empty: every rule
  std::vector<std::string> exclude_rules;  // wins over `rules`

  bool Accepts(const alert::Alert& alert) const;
};

}  // namespace tw::sinks
