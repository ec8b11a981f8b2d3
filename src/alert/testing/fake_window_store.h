// A state::StateStore for alert tests that implements windows only (in a map, with expiry) and
// answers every other call with kInternal, and can fail the next GetWindow on demand. Tests
// only; the real stores (state/memory, state/sqlite) are used in windows_sqlite_test.cc.
#pragma once

#include <map>

#include "state/state_store.h"

namespace tw::alert::testing {

class FakeWindowStore final : public state::StateStore {
 public:
  Result<std::optional<std::string>> LoadCheckpoint(const std::string&,
                                                    const std::string&) override {
    return Unsupported();
  }
  Result<void> Commit(const std::vector<state::NewOutboxEntry>&,
                      const std::vector<state::Checkpoint>&) override {
    return Unsupported();
  }
  Result<std::vector<state::OutboxRow>> DueRows(const std::string&, Clock::WallTime,
                                                size_t) override {
    return Unsupported();
  }
  Result<std::optional<Clock::WallTime>> NextDue(const std::string&) override {
    return Unsupported();
  }
  Result<void> MarkDelivered(int64_t, Clock::WallTime, const std::string&) override {
    return Unsupported();
  }
  Result<void> Reschedule(int64_t, Clock::WallTime, const std::string&) override {
    return Unsupported();
  }
  Result<void> MarkFailed(int64_t, const std::string&) override { return Unsupported(); }
  Result<int64_t> Retry(const std::string&, Clock::WallTime) override { return Unsupported(); }
  Result<std::vector<state::OutboxRow>> ListRows(std::optional<state::OutboxState>,
                                                 size_t) override {
    return Unsupported();
  }
  Result<std::optional<std::string>> DeliveredRef(const std::string&, const std::string&) override {
    return Unsupported();
  }

  Result<int64_t> PruneHistory(Clock::WallTime) override { return Unsupported(); }

  Result<std::optional<state::Window>> GetWindow(const std::string& key,
                                                 Clock::WallTime now) override {
    if (fail_next) {
      fail_next = false;
      return Fail(ErrorCode::kIo, "fake store: disk on fire");
    }
    const auto it = windows.find(key);
    if (it == windows.end() || it->second.expires <= now) return std::optional<state::Window>();
    return std::optional<state::Window>(it->second);
  }
  Result<void> PutWindow(const state::Window& window) override {
    windows[window.key] = window;
    return Ok();
  }
  Result<int64_t> ExpireWindows(Clock::WallTime now) override {
    int64_t n = 0;
    for (auto it = windows.begin(); it != windows.end();) {
      if (it->second.expires < now) {
        it = windows.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }

  std::map<std::string, state::Window> windows;
  bool fail_next = false;

 private:
  static tl::unexpected<Error> Unsupported() {
    return Fail(ErrorCode::kInternal, "fake store: windows only");
  }
};

}  // namespace tw::alert::testing
