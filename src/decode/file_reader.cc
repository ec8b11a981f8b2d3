#include "decode/file_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "decode/gzip.h"

namespace tw::decode {
namespace {

// Closes a file descriptor on scope exit (none: -1).
class FdCloser {
 public:
  FdCloser() = default;
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }
  void Own(int fd) { fd_ = fd; }

 private:
  int fd_ = -1;
};

tl::unexpected<Error> Errno(const std::string& what, const std::string& path, int err) {
  const ErrorCode code = (err == ENOENT || err == ENOTDIR) ? ErrorCode::kNotFound : ErrorCode::kIo;
  return Fail(code, fmt::format("{} {}: {}", what, path, std::strerror(err)));
}

tl::unexpected<Error> TooLarge(const std::string& path, std::size_t max_bytes) {
  return Fail(ErrorCode::kResourceExhausted,
              fmt::format("read {}: larger than the limit of {} bytes", path, max_bytes));
}

// The size of the open file `fd` (0 for pipes and /proc files, which report none); fails for a
// directory and for a size over `max_bytes`.
Result<std::size_t> SizeToRead(int fd, const std::string& path, std::size_t max_bytes) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Errno("stat", path, errno);
  if (S_ISDIR(st.st_mode)) {
    return Fail(ErrorCode::kIo, fmt::format("read {}: is a directory", path));
  }
  const auto expected = static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 0);
  if (expected > max_bytes) return TooLarge(path, max_bytes);
  return expected;
}

// Opens `path` for reading into `file` and says how many bytes to expect (SizeToRead).
Result<std::size_t> OpenToRead(const std::string& path, std::size_t max_bytes, FdCloser& file) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path, errno);
  file.Own(fd);
  return SizeToRead(fd, path, max_bytes);
}

void EnsurePadding(std::string& s) {
  if (s.capacity() < s.size() + kJsonPadding) s.reserve(s.size() + kJsonPadding);
}

}  // namespace

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
  FdCloser file;
  auto size_or = OpenToRead(path, max_bytes, file);
  if (!size_or) return tl::unexpected(size_or.error());
  const int fd = file.fd();
  const std::size_t expected = *size_or;

  std::string data;
  // One byte more than the size, so end of file is seen without a second grow; pipes and /proc
  // files report size 0 and grow below.
  std::size_t size = 0;
  data.resize(expected + 1 + kJsonPadding);
  for (;;) {
    if (size == data.size() - kJsonPadding) {
      if (size > max_bytes) return TooLarge(path, max_bytes);
      data.resize(data.size() * 2 + 4096);
    }
    const ssize_t n = ::read(fd, data.data() + size, data.size() - kJsonPadding - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("read", path, errno);
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  if (size > max_bytes) return TooLarge(path, max_bytes);
  data.resize(size);
  EnsurePadding(data);
  return data;
}

Result<void> ReadFileInto(const std::string& path, ByteBuffer& out, std::size_t max_bytes) {
  out.Clear();
  FdCloser file;
  auto size_or = OpenToRead(path, max_bytes, file);
  if (!size_or) return tl::unexpected(size_or.error());
  const int fd = file.fd();
  const std::size_t expected = *size_or;

  // As ReadFile: one byte of room more than the size, so that end of file is seen without a
  // second grow; a file that grows while being read (or reports size 0) grows the buffer.
  std::size_t size = 0;
  std::size_t room = expected + 1;
  out.Reserve(room);
  for (;;) {
    if (size == room) {
      if (size > max_bytes) {
        out.Clear();
        return TooLarge(path, max_bytes);
      }
      out.Resize(size);  // keeps the bytes read so far when it grows
      room = room * 2 + 4096;
      out.Reserve(room);
    }
    const ssize_t n = ::read(fd, out.data() + size, room - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out.Clear();
      return Errno("read", path, err);
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
  }
  if (size > max_bytes) {
    out.Clear();
    return TooLarge(path, max_bytes);
  }
  out.Resize(size);
  return Ok();
}

Result<std::string> ReadStream(std::FILE* stream, const std::string& name, std::size_t max_bytes) {
  std::string data;
  std::size_t size = 0;
  data.resize(64 * 1024);
  for (;;) {
    if (size == data.size()) {
      if (size > max_bytes) return TooLarge(name, max_bytes);
      data.resize(data.size() * 2);
    }
    const std::size_t wanted = data.size() - size;
    const std::size_t n = std::fread(data.data() + size, 1, wanted, stream);
    size += n;
    if (n < wanted) {  // fread is short only at end of file or on an error
      if (std::ferror(stream)) {
        return Fail(ErrorCode::kIo, fmt::format("read {}: {}", name, std::strerror(errno)));
      }
      break;
    }
  }
  if (size > max_bytes) return TooLarge(name, max_bytes);
  data.resize(size);
  EnsurePadding(data);
  return data;
}

}  // namespace tw::decode
