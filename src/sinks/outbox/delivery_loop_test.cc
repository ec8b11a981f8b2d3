#include "sinks/outbox/delivery_loop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>

#include "state/memory/memory_state_store.h"
#include "state/sqlite/sqlite_state_store.h"
#include "state/state_test_util.h"

namespace tw::sinks::outbox {
namespace {

using state::OutboxRow;
using state::OutboxState;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// The stores under test: the memory store and SQLite on disk, the same contract.
enum class StoreKind { kMemory, kSqlite };

std::string KindName(const ::testing::TestParamInfo<StoreKind>& info) {
  return info.param == StoreKind::kMemory ? "Memory" : "Sqlite";
}

std::unique_ptr<state::StateStore> MakeStore(StoreKind kind, Clock& clock,
                                             const state::testing::TempDir& dir) {
  if (kind == StoreKind::kMemory) return std::make_unique<state::MemoryStateStore>(clock);
  auto store = state::SqliteStateStore::Open(dir.File("state.db"), clock);
  EXPECT_TRUE(store) << store.error().ToString();
  return std::move(*store);
}

// Enqueues one alert for `sink`; the payload is "<alert id>|<dedupe count>".
void Add(state::StateStore& store, const std::string& sink, const std::string& payload) {
  state::NewOutboxEntry entry;
  entry.alert_id = payload.substr(0, payload.find('|'));
  entry.rule_id = "rule";
  entry.severity = "high";
  entry.payload = payload;
  entry.sinks = {sink};
  ASSERT_TRUE(store.Commit({entry}, {}));
}

OutboxRow RowOf(state::StateStore& store, const std::string& alert_id, const std::string& sink) {
  auto rows = store.ListRows(std::nullopt, 100'000);
  EXPECT_TRUE(rows);
  for (const OutboxRow& r : *rows) {
    if (r.alert_id == alert_id && r.sink == sink) return r;
  }
  ADD_FAILURE() << "no row " << alert_id << " for " << sink;
  return {};
}

int CountIn(state::StateStore& store, const std::string& sink, OutboxState s) {
  auto rows = store.ListRows(s, 100'000);
  EXPECT_TRUE(rows);
  return static_cast<int>(std::count_if(rows->begin(), rows->end(),
                                        [&](const OutboxRow& r) { return r.sink == sink; }));
}

// Payload "<alert id>|<dedupe count>" (a stand-in for alert/codec.h until it is on main).
Result<alert::Alert> Decode(std::string_view payload) {
  const size_t bar = payload.find('|');
  if (bar == std::string_view::npos) return Fail(ErrorCode::kParse, "no '|' in payload");
  alert::Alert a;
  a.id = std::string(payload.substr(0, bar));
  a.dedupe_count = std::stoull(std::string(payload.substr(bar + 1)));
  return a;
}

// A sink whose answers come from a function of the call number and the time.
class ScriptedSink final : public Sink {
 public:
  using Script = std::function<DeliveryResult(int call, const alert::Alert&)>;
  ScriptedSink(std::string name, const Clock& clock, Script script)
      : name_(std::move(name)), clock_(clock), script_(std::move(script)) {}
  const std::string& name() const override { return name_; }
  bool Accepts(const alert::Alert&) const override { return true; }
  DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent_ref) override {
    calls.push_back({alert.id, clock_.Now(), parent_ref});
    DeliveryResult r = script_(static_cast<int>(calls.size()), alert);
    if (r.status == DeliveryStatus::kDelivered) {
      std::lock_guard lock(mu_);
      delivered.push_back(alert.id);
      cv_.notify_all();
    }
    return r;
  }
  // Waits (real time, bounded) until the sink has delivered `n` alerts.
  bool WaitDelivered(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, seconds(20), [&] { return delivered.size() >= n; });
  }
  struct Call {
    std::string id;
    Clock::WallTime at;
    std::string parent_ref;
  };
  std::vector<Call> calls;
  std::vector<std::string> delivered;

 private:
  std::string name_;
  const Clock& clock_;
  Script script_;
  std::mutex mu_;
  std::condition_variable cv_;
};

DeliveryResult Delivered(std::string ref = "") {
  return {DeliveryStatus::kDelivered, std::nullopt, "", std::move(ref)};
}
DeliveryResult Retry(std::optional<milliseconds> after, std::string error) {
  return {DeliveryStatus::kRetry, after, std::move(error), ""};
}

DeliveryLoopOptions TestOptions() {
  DeliveryLoopOptions o;
  o.jitter_seed = 42;
  o.batch_size = 4;
  return o;
}

// Drives a loop on the fake clock until nothing is pending: a step, then the clock jumps to
// when the sink may be tried again or the next row is due. Returns the number of steps.
int Drain(DeliveryLoop& loop, state::StateStore& store, FakeClock& clock, const std::string& sink,
          const std::function<void()>& between = nullptr, int max_steps = 100'000) {
  int steps = 0;
  for (; steps < max_steps; ++steps) {
    auto r = loop.RunOnce(clock.Now());
    EXPECT_TRUE(r) << r.error().ToString();
    if (between) between();
    Clock::WallTime next;
    if (r->paused_until) {
      next = *r->paused_until;
    } else {
      auto due = store.NextDue(sink);
      if (!*due) return steps;
      next = **due;
    }
    if (next > clock.Now()) clock.Advance(next - clock.Now());
  }
  ADD_FAILURE() << "no end after " << max_steps << " steps";
  return steps;
}

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 1; i <= n; ++i) ids.push_back("alert-" + std::to_string(i));
  return ids;
}

class DeliveryLoopTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  FakeClock clock;
  state::testing::TempDir dir;
  std::unique_ptr<state::StateStore> owned = MakeStore(GetParam(), clock, dir);
  state::StateStore& store = *owned;
};

INSTANTIATE_TEST_SUITE_P(Stores, DeliveryLoopTest,
                         ::testing::Values(StoreKind::kMemory, StoreKind::kSqlite), KindName);

TEST_P(DeliveryLoopTest, RateLimitStormLosesNothing) {
  for (const std::string& id : Ids(10)) Add(store, "slack", id + "|1");
  // 50 consecutive 429s with Retry-After: 1, then Slack answers.
  ScriptedSink sink("slack", clock, [](int call, const alert::Alert&) {
    return call <= 50 ? Retry(milliseconds(1000), "HTTP 429: rate_limited") : Delivered();
  });
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, TestOptions());
  ASSERT_TRUE(loop);
  const Clock::WallTime start = clock.Now();
  Drain(**loop, store, clock, "slack");
  EXPECT_EQ(sink.delivered, Ids(10));  // all of them, once each, in order
  EXPECT_EQ(sink.calls.size(), 60u);
  EXPECT_EQ(CountIn(store, "slack", OutboxState::kDelivered), 10);
  EXPECT_EQ(CountIn(store, "slack", OutboxState::kFailed), 0);
  // Each retry waited exactly the server's Retry-After: never earlier, never later.
  for (size_t i = 1; i <= 50; ++i) {
    EXPECT_EQ(sink.calls[i].at - sink.calls[i - 1].at, seconds(1)) << i;
  }
  EXPECT_EQ(clock.Now() - start, seconds(50));
  const OutboxRow first = RowOf(store, "alert-1", "slack");
  EXPECT_EQ(first.attempts, 51);  // 50 reschedules and the delivery
  EXPECT_EQ(first.last_error, "HTTP 429: rate_limited");
  EXPECT_EQ(first.sink_ref, "");
}

TEST_P(DeliveryLoopTest, FiveMinuteOutageThenRecoveryDeliversEverythingInOrder) {
  const Clock::WallTime start = clock.Now();
  const Clock::WallTime back = start + minutes(5);
  for (const std::string& id : Ids(20)) Add(store, "webhook", id + "|1");
  ScriptedSink sink("webhook", clock, [&](int, const alert::Alert&) {
    return clock.Now() < back ? Retry(std::nullopt, "unavailable: Couldn't connect to server")
                              : Delivered();
  });
  DeliveryLoopOptions options = TestOptions();
  options.backoff.initial_delay = seconds(1);
  options.backoff.max_delay = seconds(60);
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, options);
  ASSERT_TRUE(loop);
  // New alerts keep arriving during the outage: one every 30 s of fake time.
  int added = 20;
  Clock::WallTime next_add = start + seconds(30);
  Drain(**loop, store, clock, "webhook", [&] {
    while (clock.Now() >= next_add && next_add < back) {
      Add(store, "webhook", "alert-" + std::to_string(++added) + "|1");
      next_add += seconds(30);
    }
  });
  EXPECT_EQ(added, 29);
  EXPECT_EQ(sink.delivered, Ids(29));
  EXPECT_EQ(CountIn(store, "webhook", OutboxState::kDelivered), 29);
  // Backoff: every wait during the outage is within the capped full-jitter bound for its
  // attempt: [min_delay, min(60 s, 1 s * 2^attempt)].
  int attempt = 0;
  for (size_t i = 1; i < sink.calls.size() && sink.calls[i - 1].at < back; ++i) {
    const auto wait = sink.calls[i].at - sink.calls[i - 1].at;
    const auto bound =
        std::min<Clock::WallTime::duration>(seconds(60), seconds(1) * (1 << std::min(attempt, 20)));
    EXPECT_LE(wait, bound) << "attempt " << attempt;
    EXPECT_GE(wait, milliseconds(100));
    ++attempt;
  }
  // Recovery is noticed within one capped backoff of the outage's end.
  const auto first_ok = std::find_if(sink.calls.begin(), sink.calls.end(),
                                     [&](const ScriptedSink::Call& c) { return c.at >= back; });
  ASSERT_NE(first_ok, sink.calls.end());
  EXPECT_LE(first_ok->at - back, seconds(60));
  // Only the head row was tried during the outage: the rest waited their turn.
  for (const ScriptedSink::Call& c : sink.calls) {
    if (c.at < back) {
      EXPECT_EQ(c.id, "alert-1");
    }
  }
}

TEST_P(DeliveryLoopTest, ClientErrorDeadLettersWithTheBodyAndTheRestGoOn) {
  for (const std::string& id : Ids(3)) Add(store, "slack", id + "|1");
  Add(store, "slack", "garbage-without-bar");
  ScriptedSink sink("slack", clock, [](int, const alert::Alert& a) {
    return a.id == "alert-2" ? DeliveryResult{DeliveryStatus::kPermanent, std::nullopt,
                                              "HTTP 404: channel_not_found", ""}
                             : Delivered("ref-" + a.id);
  });
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, TestOptions());
  ASSERT_TRUE(loop);
  auto step = (*loop)->RunOnce(clock.Now());
  ASSERT_TRUE(step);
  EXPECT_EQ(step->delivered, 2);
  EXPECT_EQ(step->failed, 2);
  EXPECT_EQ(RowOf(store, "alert-2", "slack").state, OutboxState::kFailed);
  EXPECT_EQ(RowOf(store, "alert-2", "slack").last_error, "HTTP 404: channel_not_found");
  EXPECT_EQ(RowOf(store, "alert-3", "slack").state, OutboxState::kDelivered);
  EXPECT_EQ(RowOf(store, "alert-3", "slack").sink_ref, "ref-alert-3");
  const OutboxRow garbage = RowOf(store, "garbage-without-bar", "slack");
  EXPECT_EQ(garbage.state, OutboxState::kFailed);
  EXPECT_TRUE(garbage.last_error.starts_with("undecodable payload: parse: ")) << garbage.last_error;
  EXPECT_EQ(sink.delivered, (std::vector<std::string>{"alert-1", "alert-3"}));
}

TEST_P(DeliveryLoopTest, MaxAttemptsDeadLetters) {
  Add(store, "s", "a|1");
  ScriptedSink sink("s", clock, [](int, const alert::Alert&) { return Retry(seconds(1), "503"); });
  DeliveryLoopOptions options = TestOptions();
  options.max_attempts = 3;
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, options);
  ASSERT_TRUE(loop);
  Drain(**loop, store, clock, "s");
  EXPECT_EQ(sink.calls.size(), 3u);
  EXPECT_EQ(RowOf(store, "a", "s").state, OutboxState::kFailed);
  EXPECT_EQ(RowOf(store, "a", "s").last_error, "gave up after 3 attempts: 503");
}

// Retry-After is the time to wait after the answer (Slack: "the number of seconds to wait before
// retrying"). An answer that took 300 ms must not make the wait 300 ms shorter: the integration
// test's 429 storm saw a retry 0.949 s after a `Retry-After: 1` on a loaded machine.
TEST_P(DeliveryLoopTest, RetryAfterCountsFromTheAnswerNotFromTheRequest) {
  Add(store, "s", "a|1");
  ScriptedSink sink("s", clock, [this](int call, const alert::Alert&) {
    if (call > 1) return Delivered();
    clock.Advance(milliseconds(300));  // the answer takes 300 ms to arrive
    return Retry(seconds(1), "429");
  });
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, TestOptions());
  ASSERT_TRUE(loop);
  const Clock::WallTime sent = clock.Now();
  auto step = (*loop)->RunOnce(sent);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->paused_until, sent + milliseconds(1'300));
}

TEST_P(DeliveryLoopTest, PausedSinkIsNotCalledBeforeItsRetryTime) {
  Add(store, "s", "a|1");
  ScriptedSink sink("s", clock, [](int call, const alert::Alert&) {
    return call == 1 ? Retry(seconds(30), "429") : Delivered();
  });
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, TestOptions());
  ASSERT_TRUE(loop);
  ASSERT_TRUE((*loop)->RunOnce(clock.Now()));
  Add(store, "s", "b|1");  // due now, but the sink is paused
  clock.Advance(seconds(29));
  auto paused = (*loop)->RunOnce(clock.Now());
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->paused_until, clock.Now() + seconds(1));
  EXPECT_EQ(sink.calls.size(), 1u);
  clock.Advance(seconds(1));
  auto resumed = (*loop)->RunOnce(clock.Now());
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->delivered, 2);
  EXPECT_EQ(sink.delivered, (std::vector<std::string>{"a", "b"}));
}

TEST_P(DeliveryLoopTest, RepeatGetsTheParentsSinkRef) {
  Add(store, "slack_api", "first|1");
  Add(store, "slack_api", "second|3");
  ScriptedSink sink("slack_api", clock, [](int call, const alert::Alert&) {
    return Delivered("C1 " + std::to_string(call) + ".0");
  });
  DeliveryLoopOptions options = TestOptions();
  options.parent_alert_id = [](const alert::Alert& a) {
    return a.dedupe_count > 1 ? std::string("first") : std::string();
  };
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, options);
  ASSERT_TRUE(loop);
  ASSERT_TRUE((*loop)->RunOnce(clock.Now()));
  ASSERT_EQ(sink.calls.size(), 2u);
  EXPECT_EQ(sink.calls[0].parent_ref, "");
  EXPECT_EQ(sink.calls[1].parent_ref, "C1 1.0");
}

// Without a parent_alert_id option the loop threads a repeat under the alert the dedupe stage
// named as its first (Alert::dedupe_parent_id), not under the repeat's own id: a repeat is a
// different event, so its id differs from the first alert's.
TEST_P(DeliveryLoopTest, RepeatIsThreadedUnderItsDedupeParentByDefault) {
  Add(store, "slack_api", "first|1");
  Add(store, "slack_api", "second|2");
  ScriptedSink sink("slack_api", clock, [](int call, const alert::Alert&) {
    return Delivered("C1 " + std::to_string(call) + ".0");
  });
  auto decode = [](std::string_view payload) -> Result<alert::Alert> {
    auto a = Decode(payload);
    if (a && a->dedupe_count > 1) a->dedupe_parent_id = "first";
    return a;
  };
  auto loop = DeliveryLoop::Create(sink, store, clock, decode, TestOptions());
  ASSERT_TRUE(loop);
  ASSERT_TRUE((*loop)->RunOnce(clock.Now()));
  ASSERT_EQ(sink.calls.size(), 2u);
  EXPECT_EQ(sink.calls[0].parent_ref, "");
  EXPECT_EQ(sink.calls[1].parent_ref, "C1 1.0");
}

TEST_P(DeliveryLoopTest, MinIntervalPacesDeliveries) {
  for (const std::string& id : Ids(5)) Add(store, "slack", id + "|1");
  ScriptedSink sink("slack", clock, [](int, const alert::Alert&) { return Delivered(); });
  DeliveryLoopOptions options = TestOptions();
  options.min_interval = seconds(1);
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, options);
  ASSERT_TRUE(loop);
  const Clock::WallTime start = clock.Now();
  Drain(**loop, store, clock, "slack");
  EXPECT_EQ(sink.delivered, Ids(5));
  for (size_t i = 0; i < sink.calls.size(); ++i) {
    EXPECT_EQ(sink.calls[i].at - start, seconds(static_cast<int64_t>(i)));  // one per second
  }
}

TEST(BackoffTest, FullJitterWithinTheCappedExponentialBound) {
  BackoffPolicy policy;
  policy.initial_delay = milliseconds(1000);
  policy.max_delay = milliseconds(60'000);
  policy.min_delay = milliseconds(100);
  std::mt19937_64 rng(7);
  for (int attempts : {0, 1, 2, 5, 6, 10, 1000}) {
    const int64_t bound = std::min<int64_t>(60'000, int64_t{1000} << std::min(attempts, 20));
    milliseconds low(bound), high(0);
    for (int i = 0; i < 2000; ++i) {
      const milliseconds d = BackoffDelay(policy, attempts, rng);
      ASSERT_GE(d, milliseconds(100));
      ASSERT_LE(d.count(), bound);
      low = std::min(low, d);
      high = std::max(high, d);
    }
    // Full jitter spreads over the whole range.
    EXPECT_LT(low.count(), bound / 10 + 100) << attempts;
    EXPECT_GT(high.count(), bound * 9 / 10) << attempts;
  }
}

// The threads: one sink hanging in Deliver does not hold another back.
TEST(DeliveryLoopThreadTest, OneSinkDownDoesNotBlockAnother) {
  SystemClock clock;
  state::MemoryStateStore store(clock);
  for (const std::string& id : Ids(5)) {
    Add(store, "down", id + "|1");
    Add(store, "up", id + "|1");
  }
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  ScriptedSink down("down", clock, [&](int, const alert::Alert&) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });  // hangs until the test ends
    return Retry(std::nullopt, "timeout");
  });
  ScriptedSink up("up", clock, [](int, const alert::Alert&) { return Delivered(); });
  auto down_loop = DeliveryLoop::Create(down, store, clock, Decode, TestOptions());
  auto up_loop = DeliveryLoop::Create(up, store, clock, Decode, TestOptions());
  ASSERT_TRUE(down_loop && up_loop);
  (*down_loop)->Start();
  (*up_loop)->Start();
  EXPECT_TRUE(up.WaitDelivered(5));
  EXPECT_TRUE(down.delivered.empty());
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  (*down_loop)->Stop(clock.Monotonic());
  (*up_loop)->Stop(clock.Monotonic());
  EXPECT_EQ(up.delivered, Ids(5));
  EXPECT_EQ(CountIn(store, "up", OutboxState::kDelivered), 5);
  EXPECT_EQ(CountIn(store, "down", OutboxState::kDelivered), 0);
  EXPECT_EQ(CountIn(store, "down", OutboxState::kPending), 5);
}

// The memory store, except that MarkDelivered fails (a full disk) while `fail_marks` > 0.
class FullDiskStore final : public state::StateStore {
 public:
  explicit FullDiskStore(Clock& clock) : inner_(clock) {}
  int fail_marks = 0;
  int mark_calls = 0;

  Result<std::optional<std::string>> LoadCheckpoint(const std::string& s,
                                                    const std::string& k) override {
    return inner_.LoadCheckpoint(s, k);
  }
  Result<void> Commit(const std::vector<state::NewOutboxEntry>& e,
                      const std::vector<state::Checkpoint>& c) override {
    return inner_.Commit(e, c);
  }
  Result<std::vector<OutboxRow>> DueRows(const std::string& s, Clock::WallTime now,
                                         size_t limit) override {
    return inner_.DueRows(s, now, limit);
  }
  Result<std::optional<Clock::WallTime>> NextDue(const std::string& s) override {
    return inner_.NextDue(s);
  }
  Result<void> MarkDelivered(int64_t row, Clock::WallTime at, const std::string& ref) override {
    ++mark_calls;
    if (fail_marks > 0) {
      --fail_marks;
      return Fail(ErrorCode::kIo, "database or disk is full");
    }
    return inner_.MarkDelivered(row, at, ref);
  }
  Result<void> Reschedule(int64_t row, Clock::WallTime at, const std::string& e) override {
    return inner_.Reschedule(row, at, e);
  }
  Result<void> MarkFailed(int64_t row, const std::string& e) override {
    return inner_.MarkFailed(row, e);
  }
  Result<int64_t> Retry(const std::string& id, Clock::WallTime now) override {
    return inner_.Retry(id, now);
  }
  Result<std::vector<OutboxRow>> ListRows(std::optional<OutboxState> s, size_t limit) override {
    return inner_.ListRows(s, limit);
  }
  Result<std::optional<std::string>> DeliveredRef(const std::string& id,
                                                  const std::string& s) override {
    return inner_.DeliveredRef(id, s);
  }
  Result<int64_t> PruneHistory(Clock::WallTime t) override { return inner_.PruneHistory(t); }
  Result<std::optional<state::Window>> GetWindow(const std::string& k,
                                                 Clock::WallTime now) override {
    return inner_.GetWindow(k, now);
  }
  Result<void> PutWindow(const state::Window& w) override { return inner_.PutWindow(w); }
  Result<int64_t> ExpireWindows(Clock::WallTime now) override { return inner_.ExpireWindows(now); }

 private:
  state::MemoryStateStore inner_;
};

TEST(DeliveryLoopFullDiskTest, AFailedMarkIsRetriedBeforeTheSinkIsCalledAgain) {
  FakeClock clock;
  FullDiskStore store(clock);
  ScriptedSink sink("s", clock, [](int, const alert::Alert&) { return Delivered("ref"); });
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, TestOptions());
  ASSERT_TRUE(loop);
  Add(store, "s", "a|1");
  Add(store, "s", "b|1");
  store.fail_marks = 3;
  // The sink took `a`, the mark failed: the step reports the store error.
  auto first = (*loop)->RunOnce(clock.Now());
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, ErrorCode::kIo);
  // While the disk stays full, later steps retry the mark and never call the sink.
  for (int i = 0; i < 2; ++i) {
    clock.Advance(seconds(1));
    EXPECT_FALSE((*loop)->RunOnce(clock.Now()));
  }
  EXPECT_EQ(sink.calls.size(), 1u);
  EXPECT_EQ(store.mark_calls, 3);
  // Space again: `a` is marked (with the sink's ref), then `b` goes out. `a` went out once.
  clock.Advance(seconds(1));
  auto ok = (*loop)->RunOnce(clock.Now());
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->delivered, 2);
  ASSERT_EQ(sink.calls.size(), 2u);
  EXPECT_EQ(sink.calls[0].id, "a");
  EXPECT_EQ(sink.calls[1].id, "b");
  EXPECT_EQ(CountIn(store, "s", OutboxState::kDelivered), 2);
  EXPECT_EQ(*store.DeliveredRef("a", "s"), std::optional<std::string>("ref"));
}

TEST(DeliveryLoopThreadTest, StopByLeavesAHangingDeliveryBehind) {
  FakeClock clock;
  state::MemoryStateStore store(clock);
  std::mutex mu;
  std::condition_variable cv;
  bool entered = false;
  bool release = false;
  ScriptedSink sink("s", clock, [&](int, const alert::Alert&) {
    std::unique_lock lock(mu);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });  // a server that hangs until released
    return Delivered();
  });
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, TestOptions());
  ASSERT_TRUE(loop);
  Add(store, "s", "a|1");
  (*loop)->Start();
  (*loop)->Notify();
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered; });
  }
  // The deadline is now: the loop cannot end while Deliver hangs.
  EXPECT_FALSE((*loop)->StopBy(clock.Monotonic()));
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  (*loop)->Stop(clock.Monotonic());  // now it ends and is joined
  EXPECT_EQ(CountIn(store, "s", OutboxState::kDelivered), 1);
}

TEST(DeliveryLoopThreadTest, NotifyWakesAnIdleLoopAndStopDrains) {
  FakeClock clock;  // never advanced: the thread waits only on the condition variable
  state::MemoryStateStore store(clock);
  ScriptedSink sink("s", clock, [](int, const alert::Alert&) { return Delivered(); });
  DeliveryLoopOptions options = TestOptions();
  options.idle_poll = std::chrono::hours(1);  // without Notify nothing would happen for an hour
  auto loop = DeliveryLoop::Create(sink, store, clock, Decode, options);
  ASSERT_TRUE(loop);
  (*loop)->Start();
  Add(store, "s", "a|1");
  (*loop)->Notify();
  EXPECT_TRUE(sink.WaitDelivered(1));
  for (int i = 0; i < 9; ++i) Add(store, "s", "b" + std::to_string(i) + "|1");
  // Stop with grace: everything due is delivered before Stop returns.
  (*loop)->Stop(clock.Monotonic() + std::chrono::hours(1));
  EXPECT_EQ(CountIn(store, "s", OutboxState::kDelivered), 10);
}

}  // namespace
}  // namespace tw::sinks::outbox
