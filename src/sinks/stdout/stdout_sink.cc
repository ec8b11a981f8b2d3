#include "sinks/stdout/stdout_sink.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

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
  if (flush_each_) {
    if (auto flushed = Flush(); !flushed) {
      DeliveryResult result;
      result.status = DeliveryStatus::kPermanent;
      result.error = flushed.error().message;
      return result;
    }
  }
  return DeliveryResult{};
}

Result<void> StdoutSink::Flush() {
  errno = 0;
  bool ok = true;
  if (!buffer_.empty()) {
    ok = std::fwrite(buffer_.data(), 1, buffer_.size(), out_) == buffer_.size();
    buffer_.clear();
  }
  ok = std::fflush(out_) == 0 && ok;
  const int err = errno;
  if (ok && !std::ferror(out_)) return Ok();
  return Fail(ErrorCode::kIo, fmt::format("cannot write the alerts to standard output: {}",
                                          err != 0 ? std::strerror(err) : "write error"));
}

}  // namespace tw::sinks
