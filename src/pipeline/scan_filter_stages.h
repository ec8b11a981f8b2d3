// Stages for `scan`'s everyday filters.
//
// EventTimeRangeStage: `scan --since/--until`, a stage that keeps only the alerts whose event's
// eventTime lies in [since, until). It runs first in the chain, so that events outside the range
// count toward no threshold or dedupe window. An alert whose eventTime does not parse is dropped
// when a bound is set (it cannot be shown to be inside).
//
// ParseTimeBound reads a bound as given on the command line: an ISO 8601 date "YYYY-MM-DD"
// (UTC midnight; as an upper bound the whole day is included, so --until 2024-01-31 keeps the
// 31st) or a time as CloudTrail writes it ("2024-01-31T12:00:00Z", or with an offset).
// MinSeverityStage: `scan --min-severity`, keeps the alerts of at least that severity (after any
// severity override of the config). It runs last, so that lower-severity events still count in
// thresholds and dedupe windows as they would in `watch`.
// Thread-safety: as alert::Stage.
#pragma once

#include <optional>
#include <string_view>

#include "alert/event_time.h"
#include "alert/stage.h"
#include "common/error.h"
#include "rules/severity.h"

namespace tw::pipeline {

enum class BoundKind { kLower, kUpper };

// kInvalidArgument when `text` is neither form.
[[nodiscard]] Result<alert::EventTime> ParseTimeBound(std::string_view text, BoundKind kind);

class EventTimeRangeStage final : public alert::Stage {
 public:
  EventTimeRangeStage(std::optional<alert::EventTime> since, std::optional<alert::EventTime> until)
      : since_(since), until_(until) {}
  const char* name() const override { return "time-range"; }
  [[nodiscard]] Result<void> Process(std::vector<alert::Alert>& alerts,
                                     const alert::StageContext& ctx) override;

 private:
  std::optional<alert::EventTime> since_;
  std::optional<alert::EventTime> until_;
};

class MinSeverityStage final : public alert::Stage {
 public:
  explicit MinSeverityStage(rules::Severity floor) : floor_(floor) {}
  const char* name() const override { return "min-severity"; }
  [[nodiscard]] Result<void> Process(std::vector<alert::Alert>& alerts,
                                     const alert::StageContext& ctx) override;

 private:
  rules::Severity floor_;
};

}  // namespace tw::pipeline
