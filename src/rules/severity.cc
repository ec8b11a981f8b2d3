#include "rules/severity.h"

namespace tw::rules {

const std::vector<std::string_view>& SeverityNames() {
  static const std::vector<std::string_view> kNames = {"info", "low", "medium", "high", "critical"};
  return kNames;
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  const std::vector<std::string_view>& names = SeverityNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

}  // namespace tw::rules
