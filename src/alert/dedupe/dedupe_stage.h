// DedupeStage: `dedupe: {key, window}` (or `dedupe: false`), per rule.
//
// Each alert of a rule with dedupe on gets a dedupe key rendered from the rule's key template
// (default "{rule_id}|{actor}|{account_id}|{event_name}"; names are Alert fields or dotted record
// paths, alert/record_fields.h), and then its id (alert_id.h: rule, event id, dedupe key). The
// first alert of a key opens a window; an alert of the same rule and key whose eventTime is
// less than `window` (default 15 minutes) from the first one's is a repeat: the window's count
// goes up by one, and the alert goes on as a "repeat" with dedupe_count = the new count and
// dedupe_parent_id = the first alert's id, so that a Slack sink threads it under the first
// message and updates that message's count instead of posting a new one. The window is fixed
// from the first event (Panther's dedup period does the same), so a steady stream of repeats
// produces a new first alert every `window`, never an endless thread. The first alert itself
// is never held back (users want it immediately: streamalert#1104).
//
// Event time, not clock time, measures the window, for three reasons: CloudTrail delivers files
// about every 5 minutes and out of order, so the gap between two arrivals says nothing about the
// gap between two API calls; a replay (`scan --config` over last month) must fold exactly the
// events the live run folded; and thresholds use event time too, so one config reads one way.
// The window record itself expires in clock time (`window` + 1 hour after its last update), only
// so that the store forgets it.
//
// State: state::Window key "dedupe|<rule id>|<dedupe key>", data "v1|<first alert id>|<first
// eventTime, unix seconds>", count = events folded so far. With dedupe off (`dedupe: false`) the
// alert keeps an empty dedupe key and gets its id from rule and event alone. An alert whose
// eventTime does not parse is never folded (fail open) and gets a note. Suppressed alerts get
// their id but are not counted.
#pragma once

#include <memory>

#include "alert/policy_table.h"
#include "alert/record_fields.h"
#include "alert/stage.h"
#include "alert/windows.h"

namespace tw::alert {

class DedupeStage final : public Stage {
 public:
  // kInvalidArgument when a rule's key template is malformed.
  [[nodiscard]] static Result<std::unique_ptr<DedupeStage>> Create(
      std::shared_ptr<const PolicyTable> policies);

  const char* name() const override { return "dedupe"; }
  // Errors: the state store's, unchanged.
  [[nodiscard]] Result<void> Process(std::vector<Alert>& alerts, const StageContext& ctx) override;

  uint64_t repeats() const { return repeats_; }

 private:
  explicit DedupeStage(std::shared_ptr<const PolicyTable> policies)
      : policies_(std::move(policies)) {}
  Result<void> Fold(Alert& alert, const rules::DedupePolicy& policy, const StageContext& ctx);

  std::shared_ptr<const PolicyTable> policies_;
  RecordFields fields_;
  Windows windows_;
  uint64_t repeats_ = 0;
};

}  // namespace tw::alert
