#include "pipeline/scan_filter_stages.h"

#include <algorithm>
#include <string>

namespace tw::pipeline {

Result<alert::EventTime> ParseTimeBound(std::string_view text, BoundKind kind) {
  if (text.size() == 10) {  // YYYY-MM-DD
    auto t = alert::ParseEventTime(std::string(text) + "T00:00:00Z");
    if (t) return kind == BoundKind::kUpper ? *t + std::chrono::hours(24) : *t;
  } else if (auto t = alert::ParseEventTime(text)) {
    return *t;
  }
  return Fail(
      ErrorCode::kInvalidArgument,
      "`" + std::string(text) + "` is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SSZ)");
}

Result<void> EventTimeRangeStage::Process(std::vector<alert::Alert>& alerts,
                                          const alert::StageContext& ctx) {
  (void)ctx;
  if (!since_ && !until_) return Ok();
  std::erase_if(alerts, [&](const alert::Alert& a) {
    auto t = alert::ParseEventTime(a.event_time);
    if (!t) return true;
    if (since_ && *t < *since_) return true;
    if (until_ && *t >= *until_) return true;
    return false;
  });
  return Ok();
}

Result<void> MinSeverityStage::Process(std::vector<alert::Alert>& alerts,
                                       const alert::StageContext& ctx) {
  (void)ctx;
  std::erase_if(alerts, [&](const alert::Alert& a) { return a.severity < floor_; });
  return Ok();
}

}  // namespace tw::pipeline
