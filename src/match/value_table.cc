#include "match/value_table.h"

#include <bit>

namespace tw::match {

static_assert(std::endian::native == std::endian::little, "Find reads values as words");

ValueTable::ValueTable() : table_(2) {}

uint32_t ValueTable::FindFrom(size_t at, std::string_view value, uint64_t head,
                              uint64_t tail) const {
  const size_t n = value.size();
  const size_t mask = table_.size() - 1;
  for (;; at = (at + 1) & mask) {
    const Entry& e = table_[at];
    if (e.position == kNotFound) return kNotFound;
    if (e.head != head || e.tail != tail || e.size != n) continue;
    // Up to 16 bytes, the first 8 and the last 8 are the whole value.
    if (n <= 16 || std::memcmp(value.data() + 8, keys_[e.position].data() + 8, n - 16) == 0) {
      return e.position;
    }
  }
}

ValueTable::ValueTable(std::vector<std::string> keys) : keys_(std::move(keys)) {
  unsigned bits = 1;
  while ((size_t{1} << bits) < 2 * keys_.size()) ++bits;
  table_.assign(size_t{1} << bits, Entry{});
  shift_ = 64 - bits;
  const size_t mask = table_.size() - 1;
  for (uint32_t i = 0; i < keys_.size(); ++i) {
    const std::string& k = keys_[i];
    const size_t n = k.size();
    Entry e;
    e.size = static_cast<uint32_t>(n);
    e.head = n >= 8 ? Load64(k.data()) : ShortHead(k.data(), n);
    e.tail = n >= 8 ? Load64(k.data() + n - 8) : 0;
    e.position = i;
    size_t at = Hash(e.head, e.tail, n) >> shift_;
    while (table_[at].position != kNotFound) at = (at + 1) & mask;
    table_[at] = e;
  }
}

}  // namespace tw::match
