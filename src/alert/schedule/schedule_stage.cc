#include "alert/schedule/schedule_stage.h"

#include <algorithm>

namespace tw::alert {
namespace {

bool Listed(const std::vector<int>& days, int day) {
  return std::find(days.begin(), days.end(), day) != days.end();
}

bool Holiday(const std::vector<std::string>& holidays, const std::string& date) {
  return std::find(holidays.begin(), holidays.end(), date) != holidays.end();
}

bool IsDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return ParseEventTime(s + "T00:00:00Z").has_value();
}

}  // namespace

bool InBusinessHours(const rules::BusinessHours& h, const LocalTime& t) {
  const int m = t.minute_of_day;
  const bool today_starts = Listed(h.days, t.iso_weekday) && !Holiday(h.holidays, t.date);
  if (h.start_minute < h.end_minute) {
    return today_starts && m >= h.start_minute && m < h.end_minute;
  }
  // Spans midnight: the evening part of today's period, or the morning part of yesterday's.
  if (today_starts && m >= h.start_minute) return true;
  const bool yesterday_started =
      Listed(h.days, t.previous_iso_weekday) && !Holiday(h.holidays, t.previous_date);
  return yesterday_started && m < h.end_minute;
}

Result<std::unique_ptr<ScheduleStage>> ScheduleStage::Create(
    const rules::GlobalPolicy& global, std::shared_ptr<const PolicyTable> policies) {
  auto zone = TimeZone::Create(global.timezone);
  if (!zone) return tl::unexpected(zone.error());
  const rules::BusinessHours& h = global.business_hours;
  auto bad = [](const std::string& what) {
    return Fail(ErrorCode::kInvalidArgument, "business_hours: " + what);
  };
  if (h.start_minute < 0 || h.start_minute >= 24 * 60 || h.end_minute < 0 ||
      h.end_minute >= 24 * 60 + 1) {
    return bad("start and end must be times of day, 00:00 to 23:59 (end may be 24:00)");
  }
  for (int d : h.days) {
    if (d < 1 || d > 7) return bad("days must be mon..sun");
  }
  for (const auto& day : h.holidays) {
    if (!IsDate(day)) return bad("holiday \"" + day + "\" is not a date YYYY-MM-DD");
  }
  return std::unique_ptr<ScheduleStage>(
      new ScheduleStage(std::move(*zone), h, std::move(policies)));
}

Result<void> ScheduleStage::Process(std::vector<Alert>& alerts, const StageContext& ctx) {
  (void)ctx;  // schedules never look at the clock
  size_t kept = 0;
  for (size_t i = 0; i < alerts.size(); ++i) {
    Alert& alert = alerts[i];
    bool keep = true;
    const rules::Schedule schedule = policies_->For(alert.rule_id).schedule;
    if (!alert.suppressed && schedule != rules::Schedule::kAlways) {
      if (const auto t = ParseEventTime(alert.event_time)) {
        const bool inside = InBusinessHours(hours_, zone_.ToLocal(*t));
        keep = schedule == rules::Schedule::kInsideBusinessHours ? inside : !inside;
      } else {
        alert.notes.push_back("schedule: eventTime \"" + alert.event_time.substr(0, 40) +
                              "\" does not parse; kept (fail open)");
      }
    }
    if (!keep) {
      ++dropped_;
      continue;
    }
    if (kept != i) alerts[kept] = std::move(alert);
    ++kept;
  }
  alerts.resize(kept);
  return Ok();
}

}  // namespace tw::alert
