// Sink: where alerts go (Slack, a webhook, stdout, a file ...).
//
// A sink delivers one alert at a time and says how it went; it never retries on its own. The
// outbox delivery loop (sinks/outbox) owns retries, backoff, Retry-After and dead letters, and
// runs one loop per sink so that a sink that stays down holds no other sink back.
//
// Thread-safety: one delivery loop calls a sink, so Deliver need not be reentrant. Reopen may be
// called from another thread (SIGHUP) and must be safe against a concurrent Deliver.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "alert/alert.h"

namespace tw::sinks {

enum class DeliveryStatus {
  kDelivered,  // done (2xx)
  kRetry,      // try again later: 429, 5xx, a timeout, a refused connection, Slack `ratelimited`
  kPermanent,  // never going to work: any other 4xx, Slack `channel_not_found`; dead-letter it
};

struct DeliveryResult {
  DeliveryStatus status = DeliveryStatus::kDelivered;
  // kRetry: the server's Retry-After, when it sent one; the loop honours it over its backoff.
  std::optional<std::chrono::milliseconds> retry_after;
  // kRetry/kPermanent: what went wrong, with the response body for a dead letter (bounded).
  std::string error;
  // kDelivered: a reference the sink may want later (Slack: "channel ts" of the message, used to
  // thread repeats and to update the parent's count). Stored in the outbox row.
  std::string sink_ref;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // The configured name, unique in a config ("slack", "webhook-ops"). Outbox rows carry it.
  virtual const std::string& name() const = 0;
  // Whether this sink wants `alert` (min_severity, rules, exclude_rules).
  virtual bool Accepts(const alert::Alert& alert) const = 0;
  // Delivers one alert. `parent_ref`: for a dedupe repeat, the sink_ref of the first alert's
  // message (Slack Web API threads the repeat under it); empty otherwise.
  virtual DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent_ref) = 0;
  // Reopens files (SIGHUP, for logrotate). Default: nothing to do.
  virtual void Reopen() {}
};

}  // namespace tw::sinks
