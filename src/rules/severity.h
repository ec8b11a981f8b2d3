// Severity: how urgent a rule's alerts are, from info to critical (ordered: a higher enumerator is
// more severe, so `min_severity` filters compare with <).
//
// Its own header so that rule.h and policy.h can both use it without including each other.
// Plain value type; the functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tw::rules {

enum class Severity { kInfo, kLow, kMedium, kHigh, kCritical };

// "info", "low", "medium", "high", "critical" (exactly, lower case) -> Severity.
std::optional<Severity> ParseSeverity(std::string_view name);

// The lower-case name ParseSeverity accepts.
const char* SeverityName(Severity severity);

// The accepted names, in increasing order of severity.
const std::vector<std::string_view>& SeverityNames();

}  // namespace tw::rules
