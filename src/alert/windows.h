// Windows: the dedupe and threshold stages' view of state::StateStore windows, with an in-memory
// fallback when the pipeline runs without a state store (StageContext::state == nullptr, e.g.
// `scan` without a config): the windows then last for the run.
//
// Window times: `start` and `expires` are wall-clock (ctx.clock) as the store requires, and only
// decide when the store may forget a window. What counts as "inside the window" is decided by
// the stages on event time, which they keep in `data`.
//
// Not thread-safe: owned by one stage.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "alert/stage.h"

namespace tw::alert {

class Windows {
 public:
  [[nodiscard]] Result<std::optional<state::Window>> Get(const std::string& key,
                                                         const StageContext& ctx);
  [[nodiscard]] Result<void> Put(const state::Window& window, const StageContext& ctx);

 private:
  std::map<std::string, state::Window> memory_;
};

}  // namespace tw::alert
