#include "common/log_line.h"

#include <cstdio>
#include <ctime>

namespace tw {

void LogLine(const char* level, std::string_view message) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::fprintf(stderr, "%s trailwatch: %s: %.*s\n", stamp, level, static_cast<int>(message.size()),
               message.data());
  std::fflush(stderr);
}

}  // namespace tw
