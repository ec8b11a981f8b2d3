#include "engine/extractor.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "event/envelope.h"

namespace tw::engine {
namespace {

using match::AnchorValue;
using simdjson::ondemand::json_type;

static_assert(std::endian::native == std::endian::little, "KeyOf and Find read keys as words");

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#ifndef __SSE2__
// Bit 7 of each byte of `w` that equals `c` (exact for the lowest such byte, which is all that
// is used: the borrow of the subtraction can only mark bytes above a true match).
uint64_t BytesEqual(uint64_t w, uint8_t c) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t x = w ^ (kOnes * c);
  return (x - kOnes) & ~x & kHighs;
}
#endif

// The member name as written (escape sequences kept). Keys with a backslash are rare; they are
// unescaped so that an escaped key can never hide a field from the index.
[[gnu::always_inline]] inline simdjson::error_code KeyOf(simdjson::ondemand::field& field,
                                                         std::string_view* key) {
  // The key ends at its first '"' unless a backslash comes first. Sixteen bytes at a time (one
  // load for nearly every CloudTrail key): the document passed stage 1, so the quote exists, and
  // a padded simdjson input has at least SIMDJSON_PADDING readable bytes after its end, which
  // covers the last block's overread (the quote is followed by at least the colon, a value and
  // the closing brace).
  const char* raw = reinterpret_cast<const char*>(field.key().raw());
  const char* p = raw;
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (;;) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const auto hits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
    if (hits != 0) {
      p += __builtin_ctz(hits);
      break;
    }
    p += 16;
  }
#else
  for (;;) {
    const uint64_t w = Load64(p);
    const uint64_t hits = BytesEqual(w, '"') | BytesEqual(w, '\\');
    if (hits != 0) {
      p += __builtin_ctzll(hits) / 8;
      break;
    }
    p += 8;
  }
#endif
  if (*p == '\\') return field.unescaped_key().get(*key);
  *key = std::string_view(raw, static_cast<size_t>(p - raw));
  return simdjson::SUCCESS;
}

// The top-level members the extractor itself needs, whatever the rules.
enum class Special : uint8_t { kNone, kEventSource, kEventType, kSource, kDetailType, kDetail };

AnchorValue::State StateOf(json_type t) {
  switch (t) {
    case json_type::string:
      return AnchorValue::State::kString;
    case json_type::array:
    case json_type::object:
      return AnchorValue::State::kOther;
    default:
      // Numbers, booleans and null never satisfy a string anchor (but `exists` ...).
      return AnchorValue::State::kScalar;
  }
}

// Classifies one slot value.
simdjson::error_code ReadSlot(simdjson::ondemand::value& v, json_type t, AnchorValue* out) {
  switch (t) {
    case json_type::string: {
      std::string_view s;
      if (auto err = v.get_string().get(s)) return err;
      out->state = AnchorValue::State::kString;
      out->value = s;
      return simdjson::SUCCESS;
    }
    case json_type::array:
    case json_type::object:
      out->state = AnchorValue::State::kOther;
      return simdjson::SUCCESS;
    default:
      // Numbers, booleans and null never satisfy a string anchor (but `exists` ...).
      out->state = AnchorValue::State::kScalar;
      return simdjson::SUCCESS;
  }
}

}  // namespace

AnchorExtractor::AnchorExtractor(const std::vector<match::AnchorSlot>& slots)
    : slot_count_(slots.size()), detail_values_(slots.size()) {
  for (size_t i = 0; i < slots.size(); ++i) {
    const auto& slot = slots[i];
    if (slot.kind == match::AnchorSlot::Kind::kEnvelopeSource) {
      source_slot_ = static_cast<int>(i);
      continue;
    }
    if (slot.kind == match::AnchorSlot::Kind::kEnvelopeDetailType) {
      detail_type_slot_ = static_cast<int>(i);
      continue;
    }
    Trie* node = &root_;
    for (const auto& key : slot.path) node = Child(*node, key);
    node->slot = static_cast<int>(i);
  }
  BuildTables(root_, /*root=*/true);
  seen_top_.assign(static_cast<size_t>(node_count_), 0);
  seen_detail_.assign(static_cast<size_t>(node_count_), 0);
}

AnchorExtractor::Trie* AnchorExtractor::Child(Trie& node, std::string_view key) {
  for (auto& c : node.children) {
    if (c.key == key) return &c;
  }
  node.children.push_back(Trie{std::string(key), -1, node_count_++, {}, {}, 64});
  return &node.children.back();
}

namespace {

// The first min(size, 8) bytes of the key at `p`, zero-extended. Reads 8 bytes whatever the size:
// a key in a padded simdjson input is followed by at least its quote, a colon, a value and the
// closing brace, and the padding covers the rest.
uint64_t KeyHead(const char* p, size_t size) {
  const uint64_t w = Load64(p);
  return size >= 8 ? w : w & ((uint64_t{1} << (8 * size)) - 1);
}

uint64_t KeyHash(uint64_t head, size_t size) {
  return (head ^ (static_cast<uint64_t>(size) << 56)) * 0x9E3779B97F4A7C15ULL;
}

constexpr std::string_view kSpecialKeys[] = {"",       "eventSource", "eventType",
                                             "source", "detail-type", "detail"};
static_assert(static_cast<int>(Special::kEventSource) == 1 &&
              static_cast<int>(Special::kDetail) == 5);

}  // namespace

void AnchorExtractor::BuildTables(Trie& node, bool root) {
  for (auto& c : node.children) BuildTables(c, false);
  // Keys to place: the children, then (root) the special keys not among them.
  std::vector<std::pair<std::string_view, KeyEntry>> keys;
  for (size_t i = 0; i < node.children.size(); ++i) {
    KeyEntry e;
    e.child = static_cast<int16_t>(i);
    keys.emplace_back(node.children[i].key, e);
  }
  if (root) {
    for (uint8_t sp = 1; sp < std::size(kSpecialKeys); ++sp) {
      bool merged = false;
      for (auto& [k, e] : keys) {
        if (k == kSpecialKeys[sp]) {
          e.special = sp;
          merged = true;
        }
      }
      if (!merged) {
        KeyEntry e;
        e.child = -1;
        e.special = sp;
        keys.emplace_back(kSpecialKeys[sp], e);
      }
    }
  }
  size_t bits = 3;
  while ((size_t{1} << bits) < 4 * keys.size()) ++bits;
  node.table.assign(size_t{1} << bits, KeyEntry{});
  node.shift = 64 - bits;
  const size_t mask = node.table.size() - 1;
  for (auto& [k, e] : keys) {
    // Keys are stored padded so that KeyHead may read 8 bytes of a short one.
    std::string padded(k);
    padded.resize(std::max<size_t>(k.size(), 8) + 8, '\0');
    e.size = static_cast<uint32_t>(k.size());
    e.head = KeyHead(padded.data(), k.size());
    e.tail = k.size() > 8 ? Load64(k.data() + k.size() - 8) : 0;
    size_t at = KeyHash(e.head, k.size()) >> node.shift;
    while (node.table[at].child != kNoKey) at = (at + 1) & mask;
    node.table[at] = e;
  }
}

// Inlined into both walks: a call per member cost more than the probe itself.
[[gnu::always_inline]] inline const AnchorExtractor::KeyEntry* AnchorExtractor::Find(
    const Trie& node, std::string_view key) {
  // Called for every member of every record: one probe, on the key's length and first bytes
  // (two loads within the key and no call for keys up to 16 bytes), rejects most keys.
  const size_t n = key.size();
  const uint64_t head = KeyHead(key.data(), n);
  const size_t mask = ~uint64_t{0} >> node.shift;  // table.size() - 1, without a division
  for (size_t at = KeyHash(head, n) >> node.shift;; at = (at + 1) & mask) {
    const KeyEntry& e = node.table[at];
    if (e.child == kNoKey) return nullptr;
    if (e.head != head || e.size != n) continue;
    if (n <= 8) return &e;
    if (e.tail != Load64(key.data() + n - 8)) continue;
    if (n <= 16) return &e;
    const std::string_view want =
        e.child >= 0 ? std::string_view(node.children[static_cast<size_t>(e.child)].key)
                     : kSpecialKeys[e.special];
    // The head and the tail cover all but [8, n - 8): one more word up to 24 bytes
    // (requestParameters, recipientAccountId), no call.
    if (n <= 24) {
      if (Load64(key.data() + 8) == Load64(want.data() + 8)) return &e;
      continue;
    }
    if (std::memcmp(key.data() + 8, want.data() + 8, n - 16) == 0) return &e;
  }
}

// Marks every slot at or below `node` kOther: a path through an array may still reach values
// (EventBridge flattens arrays), so the rules on those slots must stay candidates.
static void MarkOther(const AnchorExtractor::Trie& node, match::AnchorValue* values) {
  if (node.slot >= 0) values[node.slot].state = match::AnchorValue::State::kOther;
  for (const auto& c : node.children) MarkOther(c, values);
}

namespace {

// The end of a JSON string's text that starts at `p` (after its opening quote) when it holds no
// escape: its closing quote; null when a backslash comes first. Eight bytes at a time, as KeyOf:
// the text passed stage 1, so the quote exists, and the padding covers the last word's overread.
const char* PlainStringEnd(const char* p) {
  for (;;) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHighs = 0x8080808080808080ULL;
    const uint64_t w = Load64(p);
    // Bit 7 of each byte equal to '"' or '\\' (exact for the lowest one, all that is used).
    const uint64_t q = w ^ (kOnes * '"');
    const uint64_t b = w ^ (kOnes * '\\');
    const uint64_t hits = ((q - kOnes) & ~q & kHighs) | ((b - kOnes) & ~b & kHighs);
    if (hits != 0) {
      p += __builtin_ctzll(hits) / 8;
      return *p == '"' ? p : nullptr;
    }
    p += 8;
  }
}

}  // namespace

bool AnchorExtractor::ReadOnlyChildFromText(simdjson::ondemand::value& object_value,
                                            const Trie& node, AnchorValue* values,
                                            uint32_t* seen) const {
  // CloudTrail writes the member rules read in userIdentity first and without blanks:
  // {"type":"AssumedRole","principalId":... . Then the text gives the value, and Walk would
  // read it and stop there too (its only child met), leaving the rest to the parent.
  if (node.children.size() != 1) return false;
  const char* p = object_value.raw_json_token().data();  // the object's '{'
  if (p[1] != '"') return false;
  const char* key_end = PlainStringEnd(p + 2);
  if (key_end == nullptr || key_end[1] != ':' || key_end[2] != '"') return false;
  const Trie& child = node.children[0];
  const std::string_view key(p + 2, static_cast<size_t>(key_end - (p + 2)));
  if (key != child.key) return false;
  const char* value_end = PlainStringEnd(key_end + 3);
  if (value_end == nullptr) return false;
  FirstTime(child, seen);  // the object's first member: its first occurrence
  if (child.slot >= 0) {
    values[child.slot] =
        AnchorValue{AnchorValue::State::kString,
                    std::string_view(key_end + 3, static_cast<size_t>(value_end - (key_end + 3)))};
  }
  return true;  // a string has no members: the paths below `child` reach nothing
}

simdjson::error_code AnchorExtractor::Descend(simdjson::ondemand::value& object_value,
                                              const Trie& node, AnchorValue* values,
                                              uint32_t* seen) const {
  if (ReadOnlyChildFromText(object_value, node, values, seen)) return simdjson::SUCCESS;
  simdjson::ondemand::object inner;
  if (auto err = object_value.get_object().get(inner)) return err;
  return Walk(inner, node, values, seen);
}

simdjson::error_code AnchorExtractor::Walk(simdjson::ondemand::object object, const Trie& node,
                                           AnchorValue* values, uint32_t* seen) const {
  size_t met = 0;  // children met for the first time
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto err = std::move(field_result).get(field)) return err;
    std::string_view key;
    if (auto err = KeyOf(field, &key)) return err;
    const KeyEntry* entry = Find(node, key);
    if (entry == nullptr || entry->child < 0) continue;
    const Trie& child = node.children[static_cast<size_t>(entry->child)];
    if (!FirstTime(child, seen)) continue;
    simdjson::ondemand::value v = field.value();
    json_type t;
    if (auto err = v.type().get(t)) return err;
    if (child.slot >= 0) {
      if (auto err = ReadSlot(v, t, &values[child.slot])) return err;
    }
    if (t == json_type::object && !child.children.empty()) {
      if (auto err = Descend(v, child, values, seen)) return err;
    } else if (t == json_type::array) {
      MarkOther(child, values);
    }
    // Every child met: later members can change nothing (a repeated key is skipped unread), so
    // the rest of the object is left to the parent's iterator, which skips it token by token
    // without reading keys. (userIdentity: `type` is its first member.)
    if (++met == node.children.size()) break;
  }
  return simdjson::SUCCESS;
}

Result<ExtractResult> AnchorExtractor::Extract(simdjson::ondemand::object object,
                                               AnchorValue* values, std::string& source_scratch) {
  for (size_t i = 0; i < slot_count_; ++i) values[i] = AnchorValue{};
  if (++generation_ == 0) {  // wrapped: make every mark stale explicitly
    std::fill(seen_top_.begin(), seen_top_.end(), 0);
    std::fill(seen_detail_.begin(), seen_detail_.end(), 0);
    generation_ = 1;
  }
  ExtractResult result;
  // First occurrences of the members the envelope decision and the envelope slots depend on.
  std::string_view event_source, event_type, env_detail_type;
  AnchorValue env_source;
  bool detail_type_is_string = false, detail_is_object = false;
  uint8_t special_seen = 0;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (auto err = std::move(field_result).get(field)) {
      return Fail(ErrorCode::kParse, simdjson::error_message(err));
    }
    std::string_view key;
    if (auto err = KeyOf(field, &key)) return Fail(ErrorCode::kParse, simdjson::error_message(err));
    // Most members matter to no rule: skip them without looking at their values.
    const KeyEntry* entry = Find(root_, key);
    if (entry == nullptr) continue;
    const auto special = static_cast<Special>(entry->special);
    const Trie* child =
        entry->child >= 0 ? &root_.children[static_cast<size_t>(entry->child)] : nullptr;
    // Duplicate keys: only the first occurrence counts.
    const auto bit = static_cast<uint8_t>(1u << static_cast<unsigned>(special));
    const bool first_special = special != Special::kNone && (special_seen & bit) == 0;
    special_seen |= bit;
    if (child != nullptr && !FirstTime(*child, seen_top_.data())) child = nullptr;
    if (child == nullptr && !first_special) continue;
    simdjson::ondemand::value v = field.value();
    json_type t;
    if (auto err = v.type().get(t)) return Fail(ErrorCode::kParse, simdjson::error_message(err));
    std::string_view s;
    if (t == json_type::string && (first_special || child->slot >= 0)) {
      if (auto err = v.get_string().get(s)) {
        return Fail(ErrorCode::kParse, simdjson::error_message(err));
      }
    }
    if (first_special) {
      switch (special) {
        case Special::kEventSource:
          if (t == json_type::string) event_source = s;
          break;
        case Special::kEventType:
          if (t == json_type::string) event_type = s;
          break;
        case Special::kSource:
          env_source = AnchorValue{StateOf(t), s};
          break;
        case Special::kDetailType:
          detail_type_is_string = t == json_type::string;
          env_detail_type = s;
          break;
        case Special::kDetail:
          if (t == json_type::object) {
            // Perhaps an envelope's record: read it into the detail slots, chosen at the end.
            detail_is_object = true;
            for (size_t i = 0; i < slot_count_; ++i) detail_values_[i] = AnchorValue{};
            simdjson::ondemand::object inner;
            if (auto err = v.get_object().get(inner)) {
              return Fail(ErrorCode::kParse, simdjson::error_message(err));
            }
            if (auto err = Walk(inner, root_, detail_values_.data(), seen_detail_.data())) {
              return Fail(ErrorCode::kParse,
                          fmt::format("detail: {}", simdjson::error_message(err)));
            }
            // A rule on $.detail... of a record: the object is consumed, stay a candidate.
            if (child != nullptr) MarkOther(*child, values);
            continue;
          }
          break;
        case Special::kNone:
          break;
      }
    }
    if (child == nullptr) continue;
    if (child->slot >= 0) {
      values[child->slot] = AnchorValue{StateOf(t), s};
      if (t == json_type::string) continue;
    }
    if (t == json_type::array) MarkOther(*child, values);
    if (!child->children.empty() && t == json_type::object) {
      if (auto err = Descend(v, *child, values, seen_top_.data())) {
        return Fail(ErrorCode::kParse, fmt::format("{}: {}", key, simdjson::error_message(err)));
      }
    }
  }
  // match::IsCloudTrailEnvelope, on the first occurrences.
  result.envelope =
      detail_is_object && detail_type_is_string && event::IsCloudTrailDetailType(env_detail_type);
  if (result.envelope) {
    for (size_t i = 0; i < slot_count_; ++i) values[i] = detail_values_[i];
  }
  if (source_slot_ >= 0) {
    if (result.envelope) {
      values[source_slot_] = env_source;
    } else {
      event::SourceForEventSource(event_source, source_scratch);
      values[source_slot_] = AnchorValue{AnchorValue::State::kString, source_scratch};
    }
  }
  if (detail_type_slot_ >= 0) {
    values[detail_type_slot_] =
        AnchorValue{AnchorValue::State::kString,
                    result.envelope ? env_detail_type : event::DetailTypeForEventType(event_type)};
  }
  return result;
}

}  // namespace tw::engine
