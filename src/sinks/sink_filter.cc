#include "sinks/sink_filter.h"

#include <algorithm>

namespace tw::sinks {

bool SinkFilter::Accepts(const alert::Alert& alert) const {
  if (min_severity && static_cast<int>(alert.severity) < static_cast<int>(*min_severity)) {
    return false;
  }
  if (!rules.empty() && std::find(rules.begin(), rules.end(), alert.rule_id) == rules.end()) {
    return false;
  }
  return std::find(exclude_rules.begin(), exclude_rules.end(), alert.rule_id) ==
         exclude_rules.end();
}

}  // namespace tw::sinks
