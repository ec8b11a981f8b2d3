// ThresholdStage: `threshold: {count, window, group_by}`, per rule.
//
// For a rule with count N > 0, its alerts are grouped by the values of `group_by` (Alert fields
// or dotted record paths, e.g. sourceIPAddress); an alert is held (removed from the batch and
// counted) until N alerts of one group have eventTimes within `window` of each other. The alert
// that completes the count goes on, with threshold_count = N, and the group starts again from
// zero: it fires once per N events, never once per event after the Nth. Example: 5 console
// sign-in failures from one IP within 10 minutes ("count: 5, window: 10m, group_by:
// [sourceIPAddress]") raise one alert, carried by the 5th failure.
//
// Time is EVENT time (eventTime), not the clock: CloudTrail delivers files about every 5 minutes
// and out of order, so arrival times say nothing about how close together the events were, and
// a replay must give the live answer. The window slides: the group keeps the eventTimes of its
// held events (fewer than N of them, so bounded) and drops those more than `window` before the
// newest; it fires when N of them fit within `window`, in whatever order they arrived.
//
// State: one state::Window per group, key "threshold|<rule id>|<group values joined by 0x1F>",
// data "v1|<unix seconds>,<unix seconds>,...", expiring (clock time) `window` + 1 hour after its
// last update, so that a restart keeps the count and a late file still counts. Without a state
// store, the windows live in memory for the run.
//
// An alert whose eventTime does not parse is passed on unchanged (fail open) with a note.
// Suppressed alerts pass untouched and are not counted.
#pragma once

#include <memory>

#include "alert/policy_table.h"
#include "alert/record_fields.h"
#include "alert/stage.h"
#include "alert/windows.h"

namespace tw::alert {

class ThresholdStage final : public Stage {
 public:
  static std::unique_ptr<ThresholdStage> Create(std::shared_ptr<const PolicyTable> policies);

  const char* name() const override { return "threshold"; }
  // Errors: the state store's, unchanged.
  [[nodiscard]] Result<void> Process(std::vector<Alert>& alerts, const StageContext& ctx) override;

  uint64_t held() const { return held_; }

 private:
  explicit ThresholdStage(std::shared_ptr<const PolicyTable> policies)
      : policies_(std::move(policies)) {}
  // Returns whether `alert` goes on.
  Result<bool> Count(Alert& alert, const rules::ThresholdPolicy& policy, const StageContext& ctx);

  std::shared_ptr<const PolicyTable> policies_;
  RecordFields fields_;
  Windows windows_;
  uint64_t held_ = 0;
};

}  // namespace tw::alert
