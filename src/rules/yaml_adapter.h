// The one place trailwatch touches yaml-cpp (internal to tw::rules).
//
// yaml-cpp reports errors by throwing. ParseYaml catches them here, once, and returns a plain,
// immutable tree of YamlNode values that the rest of the rules module walks without any
// exception in sight. Each node remembers where it starts in the text and how a scalar was
// written (plain, quoted, block), which the loader needs to tell `true` from `"true"` and to
// point a caret into a quoted pattern.
//
// Limits: a document nested deeper than kMaxYamlDepth is rejected (yaml-cpp itself recurses), and
// so is one that expands to more than MaxYamlNodes nodes through aliases.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace tw::rules {

inline constexpr int kMaxYamlDepth = 64;

// The most nodes a document of `text_bytes` may expand to (aliases included): far more than any
// alias-free file has, far fewer than an alias bomb makes.
inline constexpr size_t MaxYamlNodes(size_t text_bytes) { return 100000 + 4 * text_bytes; }

enum class YamlKind { kNull, kScalar, kSequence, kMapping };

// How a scalar was written. Only kPlain scalars are subject to YAML's implicit typing
// (true, 12, null); every other style is a string.
enum class ScalarStyle { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral, kFolded, kOther };

struct YamlNode {
  YamlKind kind = YamlKind::kNull;
  ScalarStyle style = ScalarStyle::kPlain;             // kScalar only
  std::string scalar;                                  // kScalar only: the value, escapes resolved
  std::vector<YamlNode> items;                         // kSequence
  std::vector<std::pair<YamlNode, YamlNode>> members;  // kMapping, in file order, duplicates kept
  // Where the node starts: 1-based line and byte column, and the 0-based byte offset in the text.
  // Null nodes have no position (line 0): yaml-cpp places an empty value at the next token, so
  // callers report a null at its key instead.
  int line = 0;
  int column = 0;
  size_t offset = 0;

  // Declared here, defined in the .cc: the members hold YamlNodes, which must be complete
  // before the implicit members are instantiated (clang with libstdc++ insists).
  YamlNode();
  ~YamlNode();
  YamlNode(const YamlNode&);
  YamlNode(YamlNode&&) noexcept;
  YamlNode& operator=(const YamlNode&);
  YamlNode& operator=(YamlNode&&) noexcept;

  bool IsScalar() const { return kind == YamlKind::kScalar; }
  bool IsPlainScalar() const { return kind == YamlKind::kScalar && style == ScalarStyle::kPlain; }
};

struct YamlSyntaxError {
  int line = 0;  // 1-based; 0 when yaml-cpp gave no position
  int column = 0;
  std::string message;  // yaml-cpp's text, e.g. "end of map not found"
};

// Parses every document of `text`. An empty text yields no documents.
tl::expected<std::vector<YamlNode>, YamlSyntaxError> ParseYaml(std::string_view text);

}  // namespace tw::rules
