// ScheduleStage: `schedule: outside_business_hours | inside_business_hours`, per rule.
//
// A rule with schedule kOutsideBusinessHours alerts only for events whose eventTime, seen in the
// configured time zone, falls outside business hours; kInsideBusinessHours the reverse; kAlways
// (the default) passes everything. The time judged is always the event's eventTime, never the
// wall clock: a replay gives the same answer as the live run, and late delivery changes nothing.
//
// Business hours (rules::BusinessHours): on the listed ISO weekdays, from start_minute
// (inclusive) to end_minute (exclusive), local time. When end <= start the period spans
// midnight: it begins on a listed day at `start` and runs into the next day until `end`; the
// part after midnight belongs to the day it began on (its weekday and holiday status decide).
// Holidays are local dates (YYYY-MM-DD) on which no period begins.
//
// Alerts the schedule rules out are dropped (not kept as suppressed: outside its schedule the
// event is simply not an alert for that rule) and counted in dropped(). An alert whose eventTime
// does not parse is kept (fail open: a security alert is never lost to a malformed time) with a
// note saying so. Alerts already suppressed pass untouched.
//
// Thread-safety: as Stage. The policy table is shared and immutable.
#pragma once

#include <memory>

#include "alert/event_time.h"
#include "alert/policy_table.h"
#include "alert/stage.h"
#include "rules/policy.h"

namespace tw::alert {

// True when `local` lies inside `hours` (see the header comment).
bool InBusinessHours(const rules::BusinessHours& hours, const LocalTime& local);

class ScheduleStage final : public Stage {
 public:
  // kInvalidArgument for an unknown time zone, or business hours with a minute outside
  // 0..1439, a weekday outside 1..7 or a holiday that is not YYYY-MM-DD.
  [[nodiscard]] static Result<std::unique_ptr<ScheduleStage>> Create(
      const rules::GlobalPolicy& global, std::shared_ptr<const PolicyTable> policies);

  const char* name() const override { return "schedule"; }
  [[nodiscard]] Result<void> Process(std::vector<Alert>& alerts, const StageContext& ctx) override;

  uint64_t dropped() const { return dropped_; }

 private:
  ScheduleStage(TimeZone zone, rules::BusinessHours hours,
                std::shared_ptr<const PolicyTable> policies)
      : zone_(std::move(zone)), hours_(std::move(hours)), policies_(std::move(policies)) {}
  TimeZone zone_;
  rules::BusinessHours hours_;
  std::shared_ptr<const PolicyTable> policies_;
  uint64_t dropped_ = 0;
};

}  // namespace tw::alert
