#include "alert/threshold/threshold_stage.h"

#include <algorithm>
#include <charconv>

#include "alert/event_time.h"

namespace tw::alert {
namespace {

constexpr std::chrono::hours kExpiryGrace{1};

std::vector<int64_t> DecodeTimes(const std::string& data) {
  std::vector<int64_t> out;
  if (data.rfind("v1|", 0) != 0) return out;
  std::string_view rest = std::string_view(data).substr(3);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    int64_t v;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec == std::errc() && ptr == item.data() + item.size()) out.push_back(v);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

std::string EncodeTimes(const std::vector<int64_t>& times) {
  std::string out = "v1|";
  for (size_t i = 0; i < times.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(times[i]);
  }
  return out;
}

}  // namespace

std::unique_ptr<ThresholdStage> ThresholdStage::Create(
    std::shared_ptr<const PolicyTable> policies) {
  return std::unique_ptr<ThresholdStage>(new ThresholdStage(std::move(policies)));
}

Result<bool> ThresholdStage::Count(Alert& alert, const rules::ThresholdPolicy& policy,
                                   const StageContext& ctx) {
  const auto t = ParseEventTime(alert.event_time);
  if (!t) {
    alert.notes.push_back("threshold: eventTime does not parse; passed on uncounted (fail open)");
    return true;
  }
  (void)fields_.Load(alert);
  std::string key = "threshold|" + alert.rule_id + "|";
  for (size_t i = 0; i < policy.group_by.size(); ++i) {
    if (i > 0) key += '\x1f';
    key += fields_.First(policy.group_by[i]);
  }
  auto existing = windows_.Get(key, ctx);
  if (!existing) return tl::unexpected(existing.error());
  std::vector<int64_t> times = *existing ? DecodeTimes((*existing)->data) : std::vector<int64_t>{};
  const int64_t now_event = t->time_since_epoch().count();
  const int64_t span = policy.window.count();
  times.push_back(now_event);
  std::sort(times.begin(), times.end());
  // Forget events that can no longer share a window with the newest one.
  const int64_t newest = times.back();
  times.erase(times.begin(), std::lower_bound(times.begin(), times.end(), newest - span + 1));
  // Any run of `count` events within `window` (sorted: times[i + count - 1] - times[i] < window)?
  bool fire = false;
  const auto n = static_cast<size_t>(policy.count);
  for (size_t i = 0; i + n <= times.size(); ++i) {
    if (times[i + n - 1] - times[i] < span) {
      fire = true;
      break;
    }
  }
  state::Window window;
  window.key = key;
  window.start = *existing ? (*existing)->start : ctx.clock.Now();
  window.expires = ctx.clock.Now() + policy.window + kExpiryGrace;
  if (fire) {
    alert.threshold_count = n;
    times.clear();  // fires once, then starts again
  }
  window.count = static_cast<int64_t>(times.size());
  window.data = EncodeTimes(times);
  if (auto r = windows_.Put(window, ctx); !r) return tl::unexpected(r.error());
  return fire;
}

Result<void> ThresholdStage::Process(std::vector<Alert>& alerts, const StageContext& ctx) {
  size_t kept = 0;
  for (size_t i = 0; i < alerts.size(); ++i) {
    Alert& alert = alerts[i];
    bool keep = true;
    const rules::ThresholdPolicy& policy = policies_->For(alert.rule_id).threshold;
    if (!alert.suppressed && policy.count > 0) {
      auto go_on = Count(alert, policy, ctx);
      if (!go_on) return tl::unexpected(go_on.error());
      keep = *go_on;
    }
    if (!keep) {
      ++held_;
      continue;
    }
    if (kept != i) alerts[kept] = std::move(alert);
    ++kept;
  }
  alerts.resize(kept);
  return Ok();
}

}  // namespace tw::alert
