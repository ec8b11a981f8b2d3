#include "alert/windows.h"

namespace tw::alert {

Result<std::optional<state::Window>> Windows::Get(const std::string& key, const StageContext& ctx) {
  const Clock::WallTime now = ctx.clock.Now();
  if (ctx.state != nullptr) return ctx.state->GetWindow(key, now);
  const auto it = memory_.find(key);
  if (it == memory_.end()) return std::optional<state::Window>();
  if (it->second.expires <= now) {
    memory_.erase(it);
    return std::optional<state::Window>();
  }
  return std::optional<state::Window>(it->second);
}

Result<void> Windows::Put(const state::Window& window, const StageContext& ctx) {
  if (ctx.state != nullptr) return ctx.state->PutWindow(window);
  memory_[window.key] = window;
  return Ok();
}

}  // namespace tw::alert
