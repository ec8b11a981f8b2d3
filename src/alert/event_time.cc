#include "alert/event_time.h"

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>
#include <exception>

namespace tw::alert {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

std::string DateText(date::year_month_day ymd) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

Result<EventTime> ParseEventTime(std::string_view s) {
  auto bad = [&] {
    return Fail(ErrorCode::kParse,
                "eventTime is not an ISO 8601 UTC time: \"" + std::string(s.substr(0, 40)) + "\"");
  };
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec)) {
    return bad();
  }
  size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t first = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == first) return bad();
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return bad();
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != s.size() || h > 23 || mi > 59 || sec > 60) return bad();
  const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                                 date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad();
  if (sec == 60) sec = 59;  // a leap second: keep it inside its minute
  return EventTime(date::sys_days(ymd).time_since_epoch()) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(sec) -
         std::chrono::minutes(offset_minutes);
}

std::string FormatEventTime(EventTime t) { return date::format("%FT%TZ", t); }

Result<TimeZone> TimeZone::Create(std::string_view name) {
  // UTC needs no tz database: the first locate_zone reads the whole zone list from
  // /usr/share/zoneinfo (about 1.8 M instructions, most of the Lambda runtime's stage set-up).
  if (name == "UTC" || name == "Etc/UTC") return TimeZone(std::string(name), nullptr);
  try {
    const date::time_zone* zone = date::locate_zone(name);
    return TimeZone(std::string(name), zone);
  } catch (const std::exception&) {
    return Fail(ErrorCode::kInvalidArgument,
                "unknown time zone \"" + std::string(name) +
                    "\" (an IANA name such as Asia/Seoul or UTC; is tzdata installed?)");
  }
}

LocalTime TimeZone::ToLocal(EventTime t) const {
  // UTC (zone_ null): local time is the event time.
  const date::local_seconds local =
      zone_ != nullptr ? zone_->to_local(t) : date::local_seconds(t.time_since_epoch());
  const auto local_day = date::floor<date::days>(local);
  const date::year_month_day ymd{local_day};
  const date::year_month_day prev{local_day - date::days{1}};
  const auto since_midnight = local - local_day;
  LocalTime out;
  out.year = static_cast<int>(ymd.year());
  out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  out.iso_weekday = static_cast<int>(date::weekday{local_day}.iso_encoding());
  out.previous_iso_weekday =
      static_cast<int>(date::weekday{local_day - date::days{1}}.iso_encoding());
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since_midnight).count();
  out.minute_of_day = static_cast<int>(secs / 60);
  out.second = static_cast<int>(secs % 60);
  out.date = DateText(ymd);
  out.previous_date = DateText(prev);
  return out;
}

std::string TimeZone::Format(EventTime t) const {
  if (zone_ == nullptr) {
    // What date::format("%F %T UTC") writes, without its ostream (a tenth of the cost; the
    // enricher formats every alert's eventTime).
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const auto secs = (t - day).count();
    char buf[40];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d UTC",
                                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()), static_cast<int>(secs / 3600),
                                static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
    return std::string(buf, static_cast<size_t>(n));
  }
  return date::format("%F %T %Z", date::make_zoned(zone_, t));
}

}  // namespace tw::alert
