#include "decode/byte_buffer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace tw::decode {
namespace {

// From this size on, a buffer is a mapping of its own: malloc would serve it from its heap once
// its dynamic mmap threshold has risen (glibc raises it to the size of the largest mapped chunk
// freed, up to 32 MiB), where freed buffers stay resident and fragment the heap.
constexpr std::size_t kMapFrom = std::size_t{256} << 10;

// Memory is exhausted: end as a failed `new` does anywhere in trailwatch (std::bad_alloc, which
// nothing catches), without throwing from project code.
[[noreturn]] void OutOfMemory(std::size_t bytes) {
  std::fprintf(stderr, "trailwatch: out of memory (a buffer of %zu bytes)\n", bytes);
  std::abort();
}

std::size_t PageRound(std::size_t n) {
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

}  // namespace

ByteBuffer& ByteBuffer::operator=(ByteBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    capacity_ = other.capacity_;
    mapped_ = other.mapped_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.capacity_ = 0;
    other.mapped_ = false;
  }
  return *this;
}

void ByteBuffer::Release() {
  if (data_ != nullptr) {
    if (mapped_) {
      ::munmap(data_, capacity_);
    } else {
      delete[] data_;
    }
  }
  data_ = nullptr;
  size_ = 0;
  capacity_ = 0;
  mapped_ = false;
}

void ByteBuffer::Grow(std::size_t bytes) {
  if (bytes < kMapFrom) {
    char* bigger = new char[bytes];  // default-initialised: not zeroed
    if (size_ > 0) std::memcpy(bigger, data_, size_);
    const std::size_t size = size_;
    Release();
    data_ = bigger;
    capacity_ = bytes;
    size_ = size;
    return;
  }
  const std::size_t mapped = PageRound(bytes);
  void* p = MAP_FAILED;
  if (mapped_ && size_ > 0) {
    // Keep the contents: the kernel moves the pages, nothing is copied.
    p = ::mremap(data_, capacity_, mapped, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) OutOfMemory(mapped);
    data_ = static_cast<char*>(p);
    capacity_ = mapped;
    return;
  }
  // Nothing to keep from a mapping (a new input), or contents in a small buffer to copy.
  p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) OutOfMemory(mapped);
  const std::size_t size = size_;
  if (size > 0) std::memcpy(p, data_, size);
  Release();
  data_ = static_cast<char*>(p);
  capacity_ = mapped;
  size_ = size;
  mapped_ = true;
}

}  // namespace tw::decode
