// ValueTable: an immutable set of strings, each known by its position in the list it was built
// from, for the rule index's lookups by an extracted value (match/index.h).
//
// The index asks, for every event and every field that dispatches rules by value, whether the
// event's value is one of the values the rules name (eventName among 879 names ...). A
// std::unordered_map answers with a byte-by-byte hash of the whole value and a pointer chase to
// a node; this table answers with one probe of a flat array keyed on the value's length, first 8
// and last 8 bytes (two loads and a multiply), and compares the value's middle only for values
// longer than 16 bytes. Many values sharing length and ends only make probes longer: every hit
// is compared in full, so an answer is never wrong.
//
// Thread-safety: immutable after construction; Find is const and reentrant.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace tw::match {

class ValueTable {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  // An empty table (Find always answers kNotFound).
  ValueTable();
  // The table of `keys`, which must be distinct (a repeated key answers one of its positions),
  // fewer than kNotFound. Each key is known by its position in `keys`.
  explicit ValueTable(std::vector<std::string> keys);

  // The position of `value` in the keys, or kNotFound. Reads only value's own bytes.
  [[gnu::always_inline]] uint32_t Find(std::string_view value) const {
    const size_t n = value.size();
    uint64_t head, tail;
    if (n >= 8) {
      head = Load64(value.data());
      tail = Load64(value.data() + n - 8);
    } else {
      head = ShortHead(value.data(), n);
      tail = 0;
    }
    const size_t at = Hash(head, tail, n) >> shift_;
    const Entry& e = table_[at];
    if (e.position == kNotFound) return kNotFound;  // the common miss: one probe
    if (e.head == head && e.tail == tail && e.size == n && n <= 16) return e.position;
    return FindFrom(at, value, head, tail);
  }

  size_t size() const { return keys_.size(); }
  bool empty() const { return keys_.empty(); }
  const std::string& key(uint32_t position) const { return keys_[position]; }

 private:
  struct Entry {
    uint64_t head = 0;  // the first min(size, 8) bytes, zero-extended
    uint64_t tail = 0;  // values of 8 bytes or more: the last 8; else 0
    uint32_t size = 0;
    uint32_t position = kNotFound;  // kNotFound: an empty entry
  };

  static uint64_t Load64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Find's probe from entry `at` on, for what one look at entry `at` could not decide.
  uint32_t FindFrom(size_t at, std::string_view value, uint64_t head, uint64_t tail) const;
  // Values of fewer than 8 bytes: their bytes, zero-extended, read without passing their end.
  [[gnu::always_inline]] static uint64_t ShortHead(const char* p, size_t n) {
    if (n >= 4) {
      // Two overlapping 4-byte loads: bytes [0, 4) and [n - 4, n), each at its own place.
      uint32_t lo, hi;
      std::memcpy(&lo, p, sizeof lo);
      std::memcpy(&hi, p + n - 4, sizeof hi);
      return lo | uint64_t{hi} << (8 * (n - 4));
    }
    if (n == 0) return 0;
    // 1 to 3 bytes: the first, the middle and the last (some of them the same byte).
    const auto byte = [p](size_t i) {
      return uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    };
    return byte(0) | byte(n / 2) | byte(n - 1);
  }
  static uint64_t Hash(uint64_t head, uint64_t tail, size_t n) {
    return ((head * 0x9E3779B97F4A7C15ULL) ^ (tail + n)) * 0xC2B2AE3D27D4EB4FULL;
  }

  std::vector<std::string> keys_;
  std::vector<Entry> table_;  // a power of two (at least 2), at most half full
  unsigned shift_ = 63;       // 64 - log2(table size)
};

}  // namespace tw::match
