#include "sinks/outbox/delivery_loop.h"

#include <algorithm>

namespace tw::sinks::outbox {

using std::chrono::milliseconds;

milliseconds BackoffDelay(const BackoffPolicy& policy, int attempts, std::mt19937_64& rng) {
  const int shift = std::clamp(attempts, 0, 30);
  const int64_t initial = std::max<int64_t>(policy.initial_delay.count(), 1);
  const int64_t max = std::max<int64_t>(policy.max_delay.count(), 1);
  // initial * 2^shift, saturating at max.
  const int64_t ceiling = initial > (max >> shift) ? max : std::min(max, initial << shift);
  std::uniform_int_distribution<int64_t> jitter(0, ceiling);
  return std::max(milliseconds(jitter(rng)), policy.min_delay);
}

Result<std::unique_ptr<DeliveryLoop>> DeliveryLoop::Create(Sink& sink, state::StateStore& store,
                                                           const Clock& clock, AlertDecoder decoder,
                                                           DeliveryLoopOptions options) {
  if (options.batch_size == 0) {
    return Fail(ErrorCode::kInvalidArgument, "delivery loop: batch_size must be positive");
  }
  if (!decoder) return Fail(ErrorCode::kInvalidArgument, "delivery loop: no payload decoder");
  return std::unique_ptr<DeliveryLoop>(
      new DeliveryLoop(sink, store, clock, std::move(decoder), std::move(options)));
}

DeliveryLoop::DeliveryLoop(Sink& sink, state::StateStore& store, const Clock& clock,
                           AlertDecoder decoder, DeliveryLoopOptions options)
    : sink_(sink),
      store_(store),
      clock_(clock),
      decoder_(std::move(decoder)),
      options_(std::move(options)),
      rng_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {}

DeliveryLoop::~DeliveryLoop() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      deadline_ = clock_.Monotonic();  // no grace
    }
    cv_.notify_all();
    thread_.join();
  }
}

Result<StepResult> DeliveryLoop::RunOnce(Clock::WallTime now) { return Step(now); }

Result<StepResult> DeliveryLoop::Step(Clock::WallTime now) {
  std::lock_guard step_lock(step_mu_);
  StepResult step;
  if (paused_until_ && now < *paused_until_) {
    step.paused_until = paused_until_;
    return step;
  }
  paused_until_.reset();
  if (unmarked_) {
    auto marked = store_.MarkDelivered(unmarked_->row_id, unmarked_->at, unmarked_->sink_ref);
    if (!marked && marked.error().code != ErrorCode::kNotFound) {
      return tl::unexpected(marked.error());
    }
    unmarked_.reset();
    ++step.delivered;
  }
  const std::string& name = sink_.name();
  while (true) {
    auto rows = store_.DueRows(name, now, options_.batch_size);
    if (!rows) return tl::unexpected(rows.error());
    for (const state::OutboxRow& row : *rows) {
      if (PastDeadline()) return step;
      auto alert = decoder_(row.payload);
      if (!alert) {
        auto marked =
            store_.MarkFailed(row.row_id, "undecodable payload: " + alert.error().ToString());
        if (!marked) return tl::unexpected(marked.error());
        ++step.failed;
        continue;
      }
      std::string parent_id;
      if (options_.parent_alert_id) {
        parent_id = options_.parent_alert_id(*alert);
      } else {
        parent_id = alert->dedupe_parent_id;  // empty unless the dedupe stage made it a repeat
      }
      std::string parent_ref;
      if (!parent_id.empty()) {
        auto ref = store_.DeliveredRef(parent_id, name);
        if (!ref) return tl::unexpected(ref.error());
        parent_ref = ref->value_or("");
      }

      DeliveryResult result = sink_.Deliver(*alert, parent_ref);
      Result<void> marked;
      switch (result.status) {
        case DeliveryStatus::kDelivered:
          marked = store_.MarkDelivered(row.row_id, now, result.sink_ref);
          if (!marked) {
            unmarked_ = Unmarked{row.row_id, now, result.sink_ref};
            return tl::unexpected(marked.error());
          }
          ++step.delivered;
          if (options_.min_interval.count() > 0) {
            paused_until_ = now + options_.min_interval;
            step.paused_until = paused_until_;
            return step;
          }
          break;
        case DeliveryStatus::kPermanent:
          marked = store_.MarkFailed(row.row_id, result.error);
          ++step.failed;
          break;
        case DeliveryStatus::kRetry: {
          if (options_.max_attempts > 0 && row.attempts + 1 >= options_.max_attempts) {
            marked =
                store_.MarkFailed(row.row_id, "gave up after " + std::to_string(row.attempts + 1) +
                                                  " attempts: " + result.error);
            ++step.failed;
            break;
          }
          const milliseconds delay = result.retry_after
                                         ? *result.retry_after
                                         : BackoffDelay(options_.backoff, row.attempts, rng_);
          // Retry-After counts from the answer, not from when the request left: a slow answer
          // must not shorten the wait (`now` is the step's start, before the request).
          const Clock::WallTime at = std::max(now, clock_.Now()) + delay;
          // The row keeps its next_due, hence its place in the queue; the pause is ours.
          marked = store_.Reschedule(row.row_id, row.next_due, result.error);
          if (!marked) return tl::unexpected(marked.error());
          ++step.retried;
          paused_until_ = at;
          step.paused_until = at;
          return step;
        }
      }
      if (!marked) return tl::unexpected(marked.error());
    }
    if (rows->size() < options_.batch_size) break;
  }
  return step;
}

void DeliveryLoop::Start() {
  TW_CHECK(!thread_.joinable());
  thread_ = std::thread([this] {
    Run();
    {
      std::lock_guard lock(mu_);
      finished_ = true;
    }
    cv_.notify_all();
  });
}

bool DeliveryLoop::PastDeadline() {
  std::lock_guard lock(mu_);
  return stopping_ && deadline_ && clock_.Monotonic() >= *deadline_;
}

bool DeliveryLoop::StopBy(Clock::MonoTime deadline) {
  std::unique_lock lock(mu_);
  stopping_ = true;
  deadline_ = deadline;
  cv_.notify_all();
  if (!thread_.joinable()) return true;
  const auto left = deadline - clock_.Monotonic();
  // A little past the deadline: a loop that stops at the deadline needs a moment to notice.
  cv_.wait_for(lock,
               std::max(left, Clock::MonoTime::duration::zero()) + std::chrono::milliseconds(200),
               [this] { return finished_; });
  if (!finished_) return false;
  lock.unlock();
  thread_.join();
  return true;
}

void DeliveryLoop::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void DeliveryLoop::Stop(Clock::MonoTime deadline) {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    deadline_ = deadline;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeliveryLoop::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    if (deadline_ && clock_.Monotonic() >= *deadline_) return;
    notified_ = false;
    lock.unlock();

    const Clock::WallTime now = clock_.Now();
    milliseconds wait = options_.idle_poll;
    bool due_now = false;  // something can be delivered right away
    auto step = Step(now);
    if (!step) {
      wait = options_.store_retry;
    } else if (step->paused_until) {
      wait = std::chrono::ceil<milliseconds>(*step->paused_until - now);
    } else if (auto next = store_.NextDue(sink_.name()); !next) {
      wait = options_.store_retry;
    } else if (*next) {
      const Clock::WallTime after = clock_.Now();
      if (**next <= after) {
        due_now = true;
      } else {
        wait = std::min(wait, std::chrono::ceil<milliseconds>(**next - after));
      }
    }

    lock.lock();
    if (stopping_ && !due_now) return;  // draining and nothing is due: done
    if (due_now || notified_) continue;
    if (stopping_ && deadline_) {
      const auto left = std::chrono::ceil<milliseconds>(*deadline_ - clock_.Monotonic());
      wait = std::min(wait, std::max(left, milliseconds(0)));
    }
    cv_.wait_for(lock, wait, [this] { return notified_ || stopping_; });
  }
}

}  // namespace tw::sinks::outbox
