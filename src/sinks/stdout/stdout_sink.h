// StdoutSink: alerts on standard output, as JSON lines or as text for people (alert/format.h).
//
// Every write is checked: a failed write or flush (a full disk, /dev/full) is an error that
// Flush returns and that sticks (every later Flush fails too, since stdio's error flag stays set),
// and with `flush_each` Deliver answers kPermanent with the reason. (A closed pipe,
// `trailwatch scan | head`, ends the process with SIGPIPE as usual.) With `flush_each` every
// alert is flushed as it is delivered (watch); without it the owner calls Flush() when a batch
// is done (`scan`, one write per file).
//
// Thread-safety: Deliver and Flush are called from one thread at a time (the pipeline's commit
// lock, or the sink's delivery loop).
#pragma once

#include <cstdio>
#include <string>

#include "sinks/sink.h"

namespace tw::sinks {

enum class StdoutFormat { kText, kJson };

class StdoutSink final : public Sink {
 public:
  StdoutSink(StdoutFormat format, bool color, bool flush_each, std::FILE* out = stdout);

  const std::string& name() const override { return name_; }
  bool Accepts(const alert::Alert& alert) const override;
  DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent_ref) override;
  // Writes what Deliver buffered and flushes the stream. Errors: kIo when a write or the flush
  // failed, now or before (the message says why); the buffered alerts are dropped either way.
  [[nodiscard]] Result<void> Flush();

 private:
  std::string name_ = "stdout";
  StdoutFormat format_;
  bool color_;
  bool flush_each_;
  std::FILE* out_;
  std::string buffer_;
};

}  // namespace tw::sinks
