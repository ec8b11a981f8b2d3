#include "alert/dedupe/dedupe_stage.h"

#include <charconv>

#include "alert/alert_id.h"
#include "alert/event_time.h"

namespace tw::alert {
namespace {

constexpr std::chrono::hours kExpiryGrace{1};

struct WindowData {
  std::string first_id;
  int64_t first_time = 0;
};

std::optional<WindowData> Decode(const std::string& data) {
  if (data.rfind("v1|", 0) != 0) return std::nullopt;
  const size_t bar = data.find('|', 3);
  if (bar == std::string::npos) return std::nullopt;
  WindowData out;
  out.first_id = data.substr(3, bar - 3);
  const char* begin = data.data() + bar + 1;
  const char* end = data.data() + data.size();
  const auto [ptr, ec] = std::from_chars(begin, end, out.first_time);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return out;
}

}  // namespace

Result<std::unique_ptr<DedupeStage>> DedupeStage::Create(
    std::shared_ptr<const PolicyTable> policies) {
  auto check = [](const std::string& id, const rules::RulePolicy& p) -> Result<void> {
    if (!p.dedupe.enabled) return Ok();
    if (auto r = CheckKeyTemplate(p.dedupe.key); !r) {
      return Fail(ErrorCode::kInvalidArgument, "rule " + id + ": dedupe " + r.error().message);
    }
    return Ok();
  };
  if (auto r = check("(defaults)", policies->fallback()); !r) return tl::unexpected(r.error());
  for (const auto& [id, policy] : policies->per_rule()) {
    if (auto r = check(id, policy); !r) return tl::unexpected(r.error());
  }
  return std::unique_ptr<DedupeStage>(new DedupeStage(std::move(policies)));
}

Result<void> DedupeStage::Fold(Alert& alert, const rules::DedupePolicy& policy,
                               const StageContext& ctx) {
  (void)fields_.Load(alert);
  auto key = RenderKeyTemplate(policy.key, fields_);
  if (!key) return tl::unexpected(key.error());  // checked in Create; cannot happen
  alert.dedupe_key = std::move(*key);
  AssignAlertId(alert);
  if (alert.suppressed) return Ok();
  const auto t = ParseEventTime(alert.event_time);
  if (!t) {
    alert.notes.push_back("dedupe: eventTime does not parse; not folded (fail open)");
    return Ok();
  }
  const int64_t now_event = t->time_since_epoch().count();
  const std::string window_key = "dedupe|" + alert.rule_id + "|" + alert.dedupe_key;
  auto existing = windows_.Get(window_key, ctx);
  if (!existing) return tl::unexpected(existing.error());
  state::Window window;
  window.key = window_key;
  window.expires = ctx.clock.Now() + policy.window + kExpiryGrace;
  std::optional<WindowData> data;
  if (*existing) data = Decode((*existing)->data);
  const int64_t span = policy.window.count();
  if (data && data->first_id == alert.id) {
    // The first alert again (its input was replayed after a restart): not a repeat of itself.
    alert.dedupe_count = static_cast<uint64_t>((*existing)->count);
    return Ok();
  }
  if (data && now_event - data->first_time < span && data->first_time - now_event < span) {
    // A repeat.
    window.start = (*existing)->start;
    window.count = (*existing)->count + 1;
    window.data = (*existing)->data;
    alert.dedupe_count = static_cast<uint64_t>(window.count);
    alert.dedupe_parent_id = data->first_id;
    ++repeats_;
  } else {
    window.start = ctx.clock.Now();
    window.count = 1;
    window.data = "v1|" + alert.id + "|" + std::to_string(now_event);
    alert.dedupe_count = 1;
  }
  return windows_.Put(window, ctx);
}

Result<void> DedupeStage::Process(std::vector<Alert>& alerts, const StageContext& ctx) {
  for (Alert& alert : alerts) {
    const rules::DedupePolicy& policy = policies_->For(alert.rule_id).dedupe;
    if (!policy.enabled) {
      alert.dedupe_key.clear();
      AssignAlertId(alert);
      continue;
    }
    if (auto r = Fold(alert, policy, ctx); !r) return r;
  }
  return Ok();
}

}  // namespace tw::alert
