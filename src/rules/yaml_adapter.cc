#include "rules/yaml_adapter.h"

#include <fmt/format.h>
#include <yaml-cpp/anchor.h>
#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>

namespace tw::rules {

YamlNode::YamlNode() = default;
YamlNode::~YamlNode() = default;
YamlNode::YamlNode(const YamlNode&) = default;
YamlNode::YamlNode(YamlNode&&) noexcept = default;
YamlNode& YamlNode::operator=(const YamlNode&) = default;
YamlNode& YamlNode::operator=(YamlNode&&) noexcept = default;

namespace {

struct TooDeep {
  YAML::Mark mark;
};

struct TooManyNodes {
  YAML::Mark mark;
};

// yaml-cpp 0.7 (Debian 12) never returns from LoadAll on some damaged streams, such as a `,`
// where a document should start (`- 1\n, ~`): its parser reports an empty document without
// consuming the token, again and again, allocating each time until memory runs out
// (jbeder/yaml-cpp#1040, fixed upstream after 0.7 by #1319). Found by rule_file_fuzzer. The
// builder below stops where a document starts at the very token the previous one started at.
struct StuckAt {
  YAML::Mark mark;
};

// An alias inside the node its anchor names (`&a [1, *a]`): a cycle, which yaml-cpp would build.
struct AliasCycle {
  YAML::Mark mark;
};

// yaml-cpp does not expose a scalar's style, but its mark points at the first character of the
// token, so the source text tells: a quote, `|`, `>` or anything else (plain). A node with an
// anchor or tag starts at that decoration; such scalars are kOther unless yaml-cpp calls them
// plain ("?" tag).
ScalarStyle StyleOf(const std::string& tag, const YAML::Mark& mark, std::string_view text) {
  if (tag == "?") return ScalarStyle::kPlain;
  const int pos = mark.pos;
  if (pos < 0 || static_cast<size_t>(pos) >= text.size()) return ScalarStyle::kOther;
  switch (text[static_cast<size_t>(pos)]) {
    case '\'':
      return ScalarStyle::kSingleQuoted;
    case '"':
      return ScalarStyle::kDoubleQuoted;
    case '|':
      return ScalarStyle::kLiteral;
    case '>':
      return ScalarStyle::kFolded;
    default:
      return ScalarStyle::kOther;
  }
}

// Nodes in the subtree (itself included) and its height (a leaf is 0).
void Measure(const YamlNode& node, size_t& size, int& height) {
  size = 1;
  height = 0;
  const auto child = [&](const YamlNode& c) {
    size_t s = 0;
    int h = 0;
    Measure(c, s, h);
    size += s;
    height = std::max(height, h + 1);
  };
  for (const YamlNode& item : node.items) child(item);
  for (const auto& [key, value] : node.members) {
    child(key);
    child(value);
  }
}

// Builds YamlNodes straight from the parser's events (no YAML::Node graph in between). Throws
// (yaml-cpp's exceptions, TooDeep, TooManyNodes, StuckAt); the only caller catches. `budget`
// counts the nodes still allowed: aliases are expanded (copied), and without a bound 500 bytes
// of nested anchors become billions of nodes.
class Builder : public YAML::EventHandler {
 public:
  Builder(std::string_view text, size_t budget) : text_(text), budget_(budget) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (mark.pos == previous_start_) throw StuckAt{mark};
    previous_start_ = mark.pos;
    anchors_.clear();  // anchors are local to their document
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // An empty value has no position of its own (yaml-cpp gives it the next token's, which
    // misleads): callers report a null at its key instead.
    Count(mark, 0);
    Add(YamlNode(), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchors_.find(anchor);
    // An alias inside the node it names (yaml-cpp would build a cycle).
    if (it == anchors_.end()) throw AliasCycle{mark};
    if (budget_ < it->second.size) throw TooManyNodes{mark};
    Count(mark, it->second.height);
    budget_ -= it->second.size - 1;
    Add(it->second.node, YAML::NullAnchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Count(mark, 0);
    YamlNode node = At(mark);
    node.kind = YamlKind::kScalar;
    node.scalar = value;
    node.style = StyleOf(tag, mark, text_);
    Add(std::move(node), anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, YamlKind::kSequence, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, YamlKind::kMapping, anchor);
  }
  void OnMapEnd() override { Close(); }

  std::vector<YamlNode> TakeDocuments() { return std::move(documents_); }

 private:
  struct Frame {
    YamlNode node;
    YAML::anchor_t anchor;
    std::optional<YamlNode> key;  // a mapping's key waiting for its value
  };
  struct Anchored {
    YamlNode node;
    size_t size;
    int height;
  };

  static YamlNode At(const YAML::Mark& mark) {
    YamlNode node;
    if (!mark.is_null()) {
      node.line = mark.line + 1;
      node.column = mark.column + 1;
      node.offset = static_cast<size_t>(mark.pos);
    }
    return node;
  }

  // One more node at the current depth, whose subtree is `height` deep.
  void Count(const YAML::Mark& mark, int height) {
    if (static_cast<int>(stack_.size()) + height > kMaxYamlDepth) throw TooDeep{mark};
    if (budget_ == 0) throw TooManyNodes{mark};
    --budget_;
  }

  void Open(const YAML::Mark& mark, YamlKind kind, YAML::anchor_t anchor) {
    Count(mark, 0);
    YamlNode node = At(mark);
    node.kind = kind;
    stack_.push_back(Frame{std::move(node), anchor, std::nullopt});
  }

  void Close() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Add(std::move(frame.node), frame.anchor);
  }

  void Add(YamlNode node, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      Anchored& a = anchors_[anchor];
      a.node = node;
      Measure(a.node, a.size, a.height);
    }
    if (stack_.empty()) {
      documents_.push_back(std::move(node));
      return;
    }
    Frame& top = stack_.back();
    if (top.node.kind == YamlKind::kSequence) {
      top.node.items.push_back(std::move(node));
    } else if (!top.key) {
      top.key = std::move(node);
    } else {
      top.node.members.emplace_back(std::move(*top.key), std::move(node));
      top.key.reset();
    }
  }

  std::string_view text_;
  size_t budget_;
  int previous_start_ = -1;
  std::vector<Frame> stack_;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::vector<YamlNode> documents_;
};

}  // namespace

tl::expected<std::vector<YamlNode>, YamlSyntaxError> ParseYaml(std::string_view text) {
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    Builder builder(text, MaxYamlNodes(text.size()));
    while (parser.HandleNextDocument(builder)) {
    }
    return builder.TakeDocuments();
  } catch (const YAML::Exception& e) {
    return tl::unexpected(YamlSyntaxError{e.mark.is_null() ? 0 : e.mark.line + 1,
                                          e.mark.is_null() ? 0 : e.mark.column + 1, e.msg});
  } catch (const StuckAt& e) {
    const size_t pos = static_cast<size_t>(e.mark.pos);
    const char c = pos < text.size() ? text[pos] : ' ';
    return tl::unexpected(YamlSyntaxError{
        e.mark.line + 1, e.mark.column + 1,
        c > ' ' && c < 0x7f ? fmt::format("unexpected `{}` where a document should start", c)
                            : std::string("unexpected text where a document should start")});
  } catch (const AliasCycle& e) {
    return tl::unexpected(
        YamlSyntaxError{e.mark.line + 1, e.mark.column + 1,
                        "this alias is inside the node its anchor names (a cycle)"});
  } catch (const TooDeep& e) {
    return tl::unexpected(
        YamlSyntaxError{e.mark.line + 1, e.mark.column + 1,
                        "nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels"});
  } catch (const TooManyNodes& e) {
    return tl::unexpected(YamlSyntaxError{e.mark.is_null() ? 0 : e.mark.line + 1,
                                          e.mark.is_null() ? 0 : e.mark.column + 1,
                                          "more than " + std::to_string(MaxYamlNodes(text.size())) +
                                              " nodes once aliases are expanded (an alias bomb?)"});
  } catch (const std::exception& e) {
    return tl::unexpected(YamlSyntaxError{0, 0, e.what()});
  }
}

}  // namespace tw::rules
