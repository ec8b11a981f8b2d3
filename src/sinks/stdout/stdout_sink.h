// StdoutSink: alerts on standard output, as JSON lines or as text for people (alert/format.h).
//
// It never fails a delivery: a closed pipe (`trailwatch scan | head`) is the reader's choice,
// not a reason to retry. With `flush_each` every alert is flushed as it is delivered (watch);
// without it the owner calls Flush() when a batch is done (`scan`, one write per file).
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
  void Flush();

 private:
  std::string name_ = "stdout";
  StdoutFormat format_;
  bool color_;
  bool flush_each_;
  std::FILE* out_;
  std::string buffer_;
};

}  // namespace tw::sinks
