// FileSink (config `type: file`): appends each alert as one line of JSON (NDJSON) to a file.
//
// Each alert is written with a single write(2) on a descriptor opened O_APPEND, so lines from
// one process never interleave and a reader never sees half a line followed by another. fsync
// policy (`fsync:`): `always` (the default) fsyncs after every line before the alert counts as
// delivered, so a delivered alert survives a power loss; `never` leaves it to the kernel (the
// outbox still holds the row until the write returned, so only a machine crash can lose the
// line). Reopen() (SIGHUP, after logrotate moved the file) closes the descriptor and opens
// `path` again, creating it (mode 0600) if needed. A failed write or open is retried by the
// delivery loop (kRetry: a full disk may clear).
//
// The line is produced by the injected formatter (alert/format.h AppendAlertJson once on main).
// Thread-safety: Deliver and Reopen may run concurrently (an internal mutex).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "sinks/alert_formatter.h"
#include "sinks/sink.h"
#include "sinks/sink_filter.h"

namespace tw::sinks::file {

enum class FsyncPolicy { kAlways, kNever };

struct FileOptions {
  std::string name = "file";
  std::string path;
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  SinkFilter filter;
};

class FileSink final : public Sink {
 public:
  // Opens (creates, mode 0600) `path` for appending. kInvalidArgument for an empty path, kIo when
  // it cannot be opened.
  [[nodiscard]] static Result<std::unique_ptr<FileSink>> Create(FileOptions options,
                                                                AlertFormatter format);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  const std::string& name() const override { return options_.name; }
  bool Accepts(const alert::Alert& alert) const override { return options_.filter.Accepts(alert); }
  DeliveryResult Deliver(const alert::Alert& alert, const std::string& parent_ref) override;
  void Reopen() override;

 private:
  FileSink(FileOptions options, AlertFormatter format, int fd);

  FileOptions options_;
  AlertFormatter format_;
  std::mutex mu_;
  int fd_;  // -1 after a failed Reopen; Deliver then tries to open again
};

}  // namespace tw::sinks::file
