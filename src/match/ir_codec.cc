#include "match/ir_codec.h"

#include <cstdint>
#include <cstring>

#include "match/delimited.h"

namespace tw::match {
namespace {

// A field added to the IR must be added to the codec too: these sizes (x86-64 and aarch64,
// libstdc++) make the build fail until it is, and BuiltinTest.PrecompiledIrEqualsCompiledIr
// compares every built-in tree with a fresh compile.
static_assert(sizeof(void*) != 8 || sizeof(Step) == 48, "Step changed: update ir_codec.cc");
static_assert(sizeof(void*) != 8 || sizeof(Path) == 32, "Path changed: update ir_codec.cc");
static_assert(sizeof(void*) != 8 || sizeof(Operand) == 160, "Operand changed: update ir_codec.cc");
static_assert(sizeof(void*) != 8 || sizeof(Leaf) == 216, "Leaf changed: update ir_codec.cc");
static_assert(sizeof(void*) != 8 || sizeof(Node) == 88, "Node changed: update ir_codec.cc");
static_assert(sizeof(CidrBlock) == 18, "CidrBlock changed: update ir_codec.cc");

constexpr char kMagic = 'I';

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  Result<void> NodeOf(const Node& node) {
    if (node.delimited != nullptr) {
      return Fail(ErrorCode::kUnsupported, "ir codec: delimited patterns are not encoded");
    }
    Byte(static_cast<uint8_t>(node.kind));
    PathOf(node.path);
    Size(node.children.size());
    for (const auto& child : node.children) {
      auto ok = NodeOf(*child);
      if (!ok) return ok;
    }
    Byte(node.leaf != nullptr ? 1 : 0);
    if (node.leaf != nullptr) return LeafOf(*node.leaf);
    return Ok();
  }

 private:
  Result<void> LeafOf(const Leaf& leaf) {
    const Operand& o = leaf.operand;
    if (!o.regexes.empty()) {
      return Fail(ErrorCode::kUnsupported, "ir codec: regex operands are not encoded");
    }
    Byte(static_cast<uint8_t>(leaf.target));
    PathOf(leaf.path);
    Byte(static_cast<uint8_t>(leaf.op));
    Size(o.strings.size());
    for (const std::string& s : o.strings) String(s);
    Size(o.numbers.size());
    for (const double d : o.numbers) Double(d);
    Double(o.lo);
    Double(o.hi);
    Byte(o.lo_inclusive ? 1 : 0);
    Byte(o.hi_inclusive ? 1 : 0);
    Size(o.cidrs.size());
    for (const CidrBlock& c : o.cidrs) {
      Byte(c.v6 ? 1 : 0);
      out_.append(reinterpret_cast<const char*>(c.bytes), sizeof c.bytes);
      Byte(c.prefix_len);
    }
    PathOf(o.field);
    Byte(o.numeric_strings ? 1 : 0);
    Byte(leaf.negate ? 1 : 0);
    Byte(leaf.on_missing ? 1 : 0);
    return Ok();
  }

  void PathOf(const Path& path) {
    Byte(static_cast<uint8_t>(path.mode));
    Size(path.steps.size());
    for (const Step& step : path.steps) {
      Byte(static_cast<uint8_t>(step.kind));
      String(step.key);
      Size(step.index);
    }
  }

  void Byte(uint8_t b) { out_ += static_cast<char>(b); }

  // LEB128: 7 bits a byte, low bits first.
  void Size(uint64_t n) {
    while (n >= 0x80) {
      Byte(static_cast<uint8_t>(n | 0x80));
      n >>= 7;
    }
    Byte(static_cast<uint8_t>(n));
  }

  void String(const std::string& s) {
    Size(s.size());
    out_ += s;
  }

  void Double(double d) {
    char bytes[sizeof d];
    std::memcpy(bytes, &d, sizeof d);
    out_.append(bytes, sizeof d);
  }

  std::string& out_;
};

// Reads what Writer wrote. Every read checks the bounds; the first failure sticks (ok_ false)
// and later reads return zeros, so the caller checks once at the end.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_ && pos_ == in_.size(); }

  NodePtr NodeOf(int depth) {
    auto node = std::make_unique<Node>();
    if (depth > kMaxDepth) {
      ok_ = false;
      return node;
    }
    node->kind = static_cast<NodeKind>(Enum(static_cast<uint8_t>(NodeKind::kDelimited) - 1));
    PathOf(node->path);
    const size_t children = Count();
    node->children.reserve(children);
    for (size_t i = 0; i < children && ok_; ++i) node->children.push_back(NodeOf(depth + 1));
    if (Byte() != 0) {
      node->leaf = std::make_unique<Leaf>();
      LeafOf(*node->leaf);
    }
    return node;
  }

 private:
  static constexpr int kMaxDepth = 10'000;

  void LeafOf(Leaf& leaf) {
    Operand& o = leaf.operand;
    leaf.target = static_cast<Target>(Enum(static_cast<uint8_t>(Target::kToken)));
    PathOf(leaf.path);
    leaf.op = static_cast<Op>(Enum(static_cast<uint8_t>(Op::kFieldEq)));
    o.strings.resize(Count());
    for (std::string& s : o.strings) s = String();
    o.numbers.resize(Count());
    for (double& d : o.numbers) d = Double();
    o.lo = Double();
    o.hi = Double();
    o.lo_inclusive = Byte() != 0;
    o.hi_inclusive = Byte() != 0;
    o.cidrs.resize(Count());
    for (CidrBlock& c : o.cidrs) {
      c.v6 = Byte() != 0;
      const std::string_view bytes = Take(sizeof c.bytes);
      if (ok_) std::memcpy(c.bytes, bytes.data(), sizeof c.bytes);
      c.prefix_len = Byte();
    }
    PathOf(o.field);
    o.numeric_strings = Byte() != 0;
    leaf.negate = Byte() != 0;
    leaf.on_missing = Byte() != 0;
  }

  void PathOf(Path& path) {
    path.mode = static_cast<ArrayMode>(Enum(static_cast<uint8_t>(ArrayMode::kDeep)));
    path.steps.resize(Count());
    for (Step& step : path.steps) {
      step.kind = static_cast<StepKind>(Enum(static_cast<uint8_t>(StepKind::kAnyKey)));
      step.key = String();
      const uint64_t index = Size();
      step.index = static_cast<uint32_t>(index);
      if (index != step.index) ok_ = false;
    }
  }

  std::string_view Take(size_t n) {
    if (!ok_ || in_.size() - pos_ < n) {
      ok_ = false;
      return {};
    }
    const std::string_view out = in_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  uint8_t Byte() {
    const std::string_view b = Take(1);
    return b.empty() ? 0 : static_cast<uint8_t>(b[0]);
  }

  // A byte that must be an enumerator at most `max` (enums are dense from 0).
  uint8_t Enum(uint8_t max) {
    const uint8_t b = Byte();
    if (b > max) ok_ = false;
    return ok_ ? b : 0;
  }

  uint64_t Size() {
    uint64_t n = 0;
    for (int shift = 0; shift < 64 && ok_; shift += 7) {
      const uint8_t b = Byte();
      n |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return n;
    }
    ok_ = false;
    return 0;
  }

  // A count of items that each take at least one byte: more than the bytes left is corrupt
  // (and would only make a huge allocation).
  size_t Count() {
    const uint64_t n = Size();
    if (n > in_.size() - pos_) {
      ok_ = false;
      return 0;
    }
    return static_cast<size_t>(n);
  }

  std::string String() {
    const uint64_t n = Size();
    if (n > in_.size() - pos_) {
      ok_ = false;
      return {};
    }
    return std::string(Take(static_cast<size_t>(n)));
  }

  double Double() {
    double d = 0;
    const std::string_view bytes = Take(sizeof d);
    if (ok_) std::memcpy(&d, bytes.data(), sizeof d);
    return d;
  }

  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace

Result<void> EncodeIr(const Node& node, std::string& out) {
  out += kMagic;
  return Writer(out).NodeOf(node);
}

Result<NodePtr> DecodeIr(std::string_view bytes) {
  if (bytes.empty() || bytes[0] != kMagic) {
    return Fail(ErrorCode::kCorruption, "ir codec: not an encoded tree");
  }
  Reader reader(bytes.substr(1));
  NodePtr root = reader.NodeOf(0);
  if (!reader.ok()) return Fail(ErrorCode::kCorruption, "ir codec: damaged or truncated tree");
  return root;
}

}  // namespace tw::match
