#include "sinks/file/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tw::sinks::file {
namespace {

int OpenForAppend(const std::string& path) {
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::Create(FileOptions options, AlertFormatter format) {
  if (options.name.empty()) return Fail(ErrorCode::kInvalidArgument, "file sink: empty name");
  if (options.path.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "file sink " + options.name + ": empty path");
  }
  TW_CHECK(format != nullptr);
  const int fd = OpenForAppend(options.path);
  if (fd < 0) {
    return Fail(ErrorCode::kIo, "file sink " + options.name + ": cannot open " + options.path +
                                    ": " + std::strerror(errno));
  }
  return std::unique_ptr<FileSink>(new FileSink(std::move(options), std::move(format), fd));
}

FileSink::FileSink(FileOptions options, AlertFormatter format, int fd)
    : options_(std::move(options)), format_(std::move(format)), fd_(fd) {}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSink::Reopen() {
  std::lock_guard lock(mu_);
  if (fd_ >= 0) ::close(fd_);
  fd_ = OpenForAppend(options_.path);
}

DeliveryResult FileSink::Deliver(const alert::Alert& alert, const std::string&) {
  std::string line;
  format_(alert, line);
  line += '\n';
  std::lock_guard lock(mu_);
  DeliveryResult result;
  if (fd_ < 0) fd_ = OpenForAppend(options_.path);
  if (fd_ < 0) {
    result.status = DeliveryStatus::kRetry;
    result.error = "open " + options_.path + ": " + std::strerror(errno);
    return result;
  }
  // One write(2) per line; loop only for the rare short write (then the line may be split by
  // another writer of the same file, which trailwatch never has).
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      result.status = DeliveryStatus::kRetry;
      result.error = "write " + options_.path + ": " + std::strerror(errno);
      return result;
    }
    done += static_cast<size_t>(n);
  }
  if (options_.fsync == FsyncPolicy::kAlways && ::fsync(fd_) != 0) {
    result.status = DeliveryStatus::kRetry;
    result.error = "fsync " + options_.path + ": " + std::strerror(errno);
    return result;
  }
  result.status = DeliveryStatus::kDelivered;
  return result;
}

}  // namespace tw::sinks::file
