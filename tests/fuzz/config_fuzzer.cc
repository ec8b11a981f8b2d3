// Fuzz target: the daemon's config (src/config): yaml-cpp, ${ENV} interpolation, every section's
// checks and the policy parser (durations, CIDRs, RE2 regexes), positioned diagnostics.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  // A fixed environment: X is set, everything else is unset. "/nonexistent": *_file secrets and
  // TLS files resolve to paths that do not exist.
  const tw::config::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "X") return std::string("https://example.com/${X}");
    return std::nullopt;
  };
  tw::config::ParseOptions options;
  options.base_dir = "/nonexistent";
  auto config = tw::config::ParseConfig(yaml, "fuzz.yml", env, options);
  if (!config) {
    for (const auto& d : config.error()) (void)d.ToString();
    return 0;
  }
  (void)tw::config::ValidateOverrides(*config, {"authorization-failure"});
  return 0;
}
