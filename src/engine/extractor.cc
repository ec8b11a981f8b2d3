#include "engine/extractor.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "event/envelope.h"
#include "match/json_escapes.h"
#include "match/json_walk.h"

namespace tw::engine {
namespace {

using match::AnchorValue;

static_assert(std::endian::native == std::endian::little, "Find reads keys as words");

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The top-level members the extractor itself needs, whatever the rules.
enum class Special : uint8_t { kNone, kEventSource, kEventType, kSource, kDetailType, kDetail };

constexpr std::string_view kSpecialKeys[] = {"",       "eventSource", "eventType",
                                             "source", "detail-type", "detail"};
static_assert(static_cast<int>(Special::kEventSource) == 1 &&
              static_cast<int>(Special::kDetail) == 5);

}  // namespace

AnchorExtractor::AnchorExtractor(const std::vector<match::AnchorSlot>& slots)
    : AnchorExtractor(slots, SecondLook{}) {}

AnchorExtractor::AnchorExtractor(const std::vector<match::AnchorSlot>& slots,
                                 SecondLook second_look)
    : slot_count_(slots.size()),
      detail_values_(slots.size()),
      first_look_(second_look.first_look),
      event_name_slot_(second_look.event_name_slot) {
  if (first_look_ < slots.size()) {
    std::vector<std::string> names = std::move(second_look.event_names);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    second_look_names_ = match::ValueTable(std::move(names));
  }
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
  if (first_look_ < slots.size()) {
    for (auto& c : root_.children) MarkLazy(c);
  }
  BuildTables(root_, /*root=*/true);
  // The record, `detail` and the trie below it; the root's own depth counted once.
  frames_.resize(static_cast<size_t>(Depth(root_) + 1));
  // Every value stored comes from a first occurrence: of a node in each of the two walks, or of
  // one of the extractor's own keys.
  value_scratch_.resize(2 * static_cast<size_t>(node_count_) + std::size(kSpecialKeys));
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

bool AnchorExtractor::MarkLazy(Trie& node) {
  bool first = node.slot >= 0 && static_cast<size_t>(node.slot) < first_look_;
  for (auto& c : node.children) first = MarkLazy(c) || first;
  node.lazy = !first && !node.children.empty();
  return first;
}

int AnchorExtractor::Depth(const Trie& node) {
  int d = 0;
  for (const auto& c : node.children) d = std::max(d, Depth(c));
  return d + 1;
}

// The walk's hooks (match/json_walk.h): one frame per followed object.
class AnchorExtractor::Listener {
 public:
  static constexpr bool kTracks = true;

  Listener(AnchorExtractor& x, AnchorValue* values, Frame* frames)
      : x_(x), values_(values), frames_(frames) {}

  // Called for every member of a followed object (about 28 per CloudTrail record): inlined
  // into the walk, it costs no call frame (callgrind gate: 12,638 -> 12,189 Ir per event).
  [[gnu::always_inline]] bool Name(const char* begin, const char* end, bool escaped) {
    const Frame& f = frames_[top_];
    std::string_view key(begin, static_cast<size_t>(end - begin));
    if (escaped) {
      // Keys with a backslash are rare; they are unescaped so that an escaped key can never
      // hide a field from the index. Padded: Find loads a word at a time.
      x_.name_scratch_.clear();
      match::AppendUnescaped(key, x_.name_scratch_);
      const size_t n = x_.name_scratch_.size();
      x_.name_scratch_.append(16, '\0');
      key = std::string_view(x_.name_scratch_.data(), n);
    }
    // Most members matter to no rule: one probe rejects them.
    const KeyEntry* entry = Find(*f.node, key);
    if (entry == nullptr) return false;
    special_ = Special::kNone;
    child_ = nullptr;
    if (f.root && entry->special != 0) {
      // Duplicate keys: only the first occurrence counts.
      const auto bit = static_cast<uint8_t>(1u << entry->special);
      if ((special_seen_ & bit) == 0) special_ = static_cast<Special>(entry->special);
      special_seen_ |= bit;
    }
    if (entry->child >= 0) {
      const Trie& child = f.node->children[static_cast<size_t>(entry->child)];
      if (x_.FirstTime(child, f.seen)) child_ = &child;
    }
    return child_ != nullptr || special_ != Special::kNone;
  }

  void String(const char* begin, const char* end, bool escaped) {
    if (top_ < 0) return;  // not an object: nothing to extract
    std::string_view s(begin, static_cast<size_t>(end - begin));
    if (escaped) {
      std::string& out = x_.value_scratch_[scratch_used_++];
      out.clear();
      match::AppendUnescaped(s, out);
      s = out;
    }
    switch (special_) {
      case Special::kEventSource:
        event_source_ = s;
        break;
      case Special::kEventType:
        event_type_ = s;
        break;
      case Special::kSource:
        env_source_ = AnchorValue{AnchorValue::State::kString, s};
        break;
      case Special::kDetailType:
        detail_type_is_string_ = true;
        env_detail_type_ = s;
        break;
      default:
        break;
    }
    if (child_ != nullptr && child_->slot >= 0) {
      values_for_child()[child_->slot] = AnchorValue{AnchorValue::State::kString, s};
    }
  }

  // Numbers, booleans and null never satisfy a string anchor (but `exists` ...).
  void Scalar(const char* begin, const char* end) {
    Store(AnchorValue::State::kScalar, std::string_view(begin, static_cast<size_t>(end - begin)));
  }

  void Array() {
    if (top_ < 0) return;
    Store(AnchorValue::State::kOther);
    // A path through an array may still reach values (EventBridge flattens arrays): the rules
    // on the slots below stay candidates.
    if (child_ != nullptr) MarkOther(*child_, values_for_child());
  }

  bool Object() {
    if (top_ < 0) {  // the record itself
      frames_[++top_] = Frame{&x_.root_, values_, x_.seen_top_.data(), true};
      return true;
    }
    if (special_ == Special::kDetail) {
      // Perhaps an envelope's record: read it into the detail slots, chosen at the end. A rule
      // on $.detail... of a record: the object is read as the envelope's, stay a candidate.
      detail_is_object_ = true;
      if (child_ != nullptr) MarkOther(*child_, values_for_child());
      for (size_t i = 0; i < x_.slot_count_; ++i) x_.detail_values_[i] = AnchorValue{};
      frames_[++top_] = Frame{&x_.root_, x_.detail_values_.data(), x_.seen_detail_.data(), false};
      return true;
    }
    Store(AnchorValue::State::kOther);
    if (child_ == nullptr || child_->children.empty()) return false;
    const Frame& f = frames_[top_];
    if (child_->lazy && !SecondLookNow(f)) {
      (f.values == values_ ? skipped_top_ : skipped_detail_) = true;
      return false;
    }
    frames_[top_ + 1] = Frame{child_, f.values, f.seen, false};
    ++top_;
    return true;
  }

  void Close() { --top_; }

  bool envelope() const {
    // match::IsCloudTrailEnvelope, on the first occurrences.
    return detail_is_object_ && detail_type_is_string_ &&
           event::IsCloudTrailDetailType(env_detail_type_);
  }
  bool skipped(bool envelope) const { return envelope ? skipped_detail_ : skipped_top_; }
  std::string_view event_source() const { return event_source_; }
  std::string_view event_type() const { return event_type_; }
  std::string_view env_detail_type() const { return env_detail_type_; }
  const AnchorValue& env_source() const { return env_source_; }

 private:
  AnchorValue* values_for_child() const { return frames_[top_].values; }

  // Whether this record's second-look slots are read now: its eventName, read so far in the
  // same object (the record or its `detail`), is one of the second look's.
  bool SecondLookNow(const Frame& f) const {
    if (x_.event_name_slot_ < 0) return false;
    const AnchorValue& name = f.values[x_.event_name_slot_];
    return name.state == AnchorValue::State::kString &&
           x_.second_look_names_.Find(name.value) != match::ValueTable::kNotFound;
  }

  // A value that is not a string, for the member just named.
  void Store(AnchorValue::State state, std::string_view text = {}) {
    if (top_ < 0) return;
    if (special_ == Special::kSource) env_source_ = AnchorValue{state, text};
    if (child_ != nullptr && child_->slot >= 0) {
      values_for_child()[child_->slot] = AnchorValue{state, text};
    }
  }

  AnchorExtractor& x_;
  AnchorValue* values_;
  Frame* frames_;
  int top_ = -1;
  // The member just named.
  Special special_ = Special::kNone;
  const Trie* child_ = nullptr;
  uint8_t special_seen_ = 0;
  size_t scratch_used_ = 0;
  // First occurrences of the members the envelope decision and the envelope slots depend on.
  std::string_view event_source_, event_type_, env_detail_type_;
  AnchorValue env_source_;
  bool detail_type_is_string_ = false, detail_is_object_ = false;
  // An object of second-look slots was skipped: in the record, in its `detail`.
  bool skipped_top_ = false, skipped_detail_ = false;
};

ExtractResult AnchorExtractor::Extract(std::string_view text, bool prefix, AnchorValue* values,
                                       std::string& source_scratch) {
  for (size_t i = 0; i < slot_count_; ++i) values[i] = AnchorValue{};
  if (++generation_ == 0) {  // wrapped: make every mark stale explicitly
    std::fill(seen_top_.begin(), seen_top_.end(), 0);
    std::fill(seen_detail_.begin(), seen_detail_.end(), 0);
    generation_ = 1;
  }
  Listener listener(*this, values, frames_.data());
  ExtractResult result;
  result.check = match::WalkJson(text, prefix, match::kJsonCheckDepth, listener);
  if (!result.check.ok()) return result;
  result.envelope = listener.envelope();
  if (result.envelope) {
    for (size_t i = 0; i < slot_count_; ++i) values[i] = detail_values_[i];
  }
  if (listener.skipped(result.envelope)) {
    for (size_t i = first_look_; i < slot_count_; ++i) {
      values[i] = AnchorValue{AnchorValue::State::kOther, {}};
    }
    result.second_look_pending = true;
  }
  if (source_slot_ >= 0) {
    if (result.envelope) {
      values[source_slot_] = listener.env_source();
    } else {
      event::SourceForEventSource(listener.event_source(), source_scratch);
      values[source_slot_] = AnchorValue{AnchorValue::State::kString, source_scratch};
    }
  }
  if (detail_type_slot_ >= 0) {
    values[detail_type_slot_] =
        AnchorValue{AnchorValue::State::kString,
                    result.envelope ? listener.env_detail_type()
                                    : event::DetailTypeForEventType(listener.event_type())};
  }
  return result;
}

}  // namespace tw::engine
