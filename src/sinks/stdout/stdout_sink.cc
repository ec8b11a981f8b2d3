#include "sinks/stdout/stdout_sink.h"

#include "alert/format.h"

namespace tw::sinks {

StdoutSink::StdoutSink(StdoutFormat format, bool color, bool flush_each, std::FILE* out)
    : format_(format), color_(color), flush_each_(flush_each), out_(out) {}

bool StdoutSink::Accepts(const alert::Alert& alert) const { return !alert.suppressed; }

DeliveryResult StdoutSink::Deliver(const alert::Alert& alert, const std::string& parent_ref) {
  (void)parent_ref;
  if (format_ == StdoutFormat::kJson) {
    alert::AppendAlertJson(alert, buffer_);
  } else {
    alert::AppendAlertText(alert, color_, buffer_);
  }
  if (flush_each_) Flush();
  return DeliveryResult{};
}

void StdoutSink::Flush() {
  if (!buffer_.empty()) {
    std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
    buffer_.clear();
  }
  std::fflush(out_);
}

}  // namespace tw::sinks
