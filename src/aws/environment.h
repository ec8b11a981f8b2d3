// Environment: a snapshot of environment variables, injected wherever the AWS layer reads one.
//
// Production code takes Environment::FromProcess() once at start-up; tests build one from a map,
// so no test calls setenv() and tests can run in parallel. Like the AWS SDKs, an empty variable
// counts as unset.
//
// Thread-safety: immutable after construction except Set(), which is for tests and set-up.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tw::aws {

class Environment {
 public:
  Environment() = default;
  explicit Environment(std::map<std::string, std::string, std::less<>> vars)
      : vars_(std::move(vars)) {}
  Environment(std::initializer_list<std::pair<const std::string, std::string>> vars)
      : vars_(vars) {}

  // A copy of the process environment (environ).
  static Environment FromProcess();

  // The value of `name`; nullopt when unset or empty.
  std::optional<std::string> Get(std::string_view name) const;
  // The value of `name`, or `fallback` when unset or empty.
  std::string GetOr(std::string_view name, std::string_view fallback) const;
  // True when `name` is "true" (case-insensitive), as the SDKs read boolean variables.
  bool IsTrue(std::string_view name) const;

  void Set(std::string name, std::string value) { vars_[std::move(name)] = std::move(value); }

 private:
  std::map<std::string, std::string, std::less<>> vars_;
};

}  // namespace tw::aws
