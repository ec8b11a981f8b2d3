// Event time: parsing CloudTrail's eventTime and seeing it in a configured time zone.
//
// Schedules and the local_time enrichment work on the event's own eventTime, never on the wall
// clock, so that a replay of last month's logs (`scan --config`) decides exactly as the live
// daemon did, and a file CloudTrail delivers 15 minutes late is still judged by when the call
// happened. TimeZone wraps howardhinnant date's tz.h over the operating system's tz database
// (Debian `tzdata`, USE_OS_TZDB); tz.h throws, so this file is its one adapter.
//
// Thread-safety: TimeZone is immutable after Create and may be shared; it points into the tz
// database, which lives for the whole process.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/error.h"

namespace date {
class time_zone;
}

namespace tw::alert {

using EventTime = std::chrono::sys_seconds;

// Parses CloudTrail's "YYYY-MM-DDTHH:MM:SSZ". Also accepted: fractional seconds (dropped) and an
// offset "+HH:MM"/"-HH:MM" instead of "Z". kParse for anything else, including impossible dates
// (2026-02-30) and a missing zone designator (a time without a zone is ambiguous).
[[nodiscard]] Result<EventTime> ParseEventTime(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ", the form CloudTrail writes.
std::string FormatEventTime(EventTime t);

// A point in time as seen on a wall clock in some zone.
struct LocalTime {
  int year = 0;
  int month = 0;              // 1..12
  int day = 0;                // 1..31
  int iso_weekday = 0;        // 1 = Monday .. 7 = Sunday
  int minute_of_day = 0;      // 0..1439
  int second = 0;             // 0..59
  std::string date;           // "YYYY-MM-DD"
  std::string previous_date;  // the local day before, "YYYY-MM-DD"
  int previous_iso_weekday = 0;
};

class TimeZone {
 public:
  // `name` is an IANA zone ("Asia/Seoul", "UTC"). kInvalidArgument when the tz database does not
  // know it (or is not installed). "UTC" and "Etc/UTC" never touch the tz database (no file is
  // read, so they work without tzdata): the Lambda's and the daemon's default zone costs nothing
  // at start-up.
  [[nodiscard]] static Result<TimeZone> Create(std::string_view name);

  const std::string& name() const { return name_; }
  LocalTime ToLocal(EventTime t) const;
  // "2026-12-01 18:41:10 KST": local date and time and the zone's abbreviation at that instant.
  std::string Format(EventTime t) const;

 private:
  TimeZone(std::string name, const date::time_zone* zone) : name_(std::move(name)), zone_(zone) {}
  std::string name_;
  const date::time_zone* zone_;  // null: UTC
};

}  // namespace tw::alert
