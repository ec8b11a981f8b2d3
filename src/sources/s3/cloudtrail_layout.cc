#include "sources/s3/cloudtrail_layout.h"

#include <cctype>
#include <cstdio>

namespace tw::sources {

bool IsS3Uri(std::string_view text) { return text.starts_with("s3://"); }

Result<S3Location> ParseS3Uri(std::string_view text) {
  if (!IsS3Uri(text))
    return Fail(ErrorCode::kInvalidArgument, "not an s3:// URI: " + std::string(text));
  std::string_view rest = text.substr(5);
  const size_t slash = rest.find('/');
  S3Location loc;
  loc.bucket = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) loc.prefix = std::string(rest.substr(slash + 1));
  // S3 bucket naming rules: 3-63 characters of lower-case letters, digits, '.', '-' (older
  // us-east-1 buckets may also have upper case and '_').
  bool ok = loc.bucket.size() >= 3 && loc.bucket.size() <= 255;
  for (char c : loc.bucket) {
    ok = ok &&
         (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_');
  }
  if (!ok) {
    return Fail(ErrorCode::kInvalidArgument,
                "s3:// URI `" + std::string(text) + "`: bad bucket name `" + loc.bucket + "`");
  }
  return loc;
}

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsOrganizationId(std::string_view s) {
  if (!s.starts_with("o-") || s.size() < 3 || s.size() > 34) return false;
  for (char c : s.substr(2)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool IsDigestKey(std::string_view key) {
  return key.find("/CloudTrail-Digest/") != std::string_view::npos ||
         key.starts_with("CloudTrail-Digest/") ||
         key.find("_CloudTrail-Digest_") != std::string_view::npos;
}

std::string DayPath(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d/%02u/%02u/", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<std::chrono::sys_days> KeyDay(std::string_view key) {
  const size_t at = key.find("/CloudTrail/");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = key.substr(at + 12);  // "<region>/YYYY/MM/DD/..."
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  rest = rest.substr(slash + 1);
  if (rest.size() < 11 || rest[4] != '/' || rest[7] != '/' || rest[10] != '/') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (rest[i] < '0' || rest[i] > '9') return std::nullopt;
  }
  auto num = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) v = v * 10 + (rest[i] - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year(num(0, 4)),
                                        std::chrono::month(static_cast<unsigned>(num(5, 2))),
                                        std::chrono::day(static_cast<unsigned>(num(8, 2)))};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

bool PrefixesOverlap(std::string_view a, std::string_view b) {
  return a.starts_with(b) || b.starts_with(a);
}

}  // namespace tw::sources
