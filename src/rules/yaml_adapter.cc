#include "rules/yaml_adapter.h"

#include <yaml-cpp/yaml.h>

#include <exception>
#include <string>

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

// yaml-cpp does not expose a scalar's style, but its mark points at the first character of the
// token, so the source text tells: a quote, `|`, `>` or anything else (plain). A node with an
// anchor or tag starts at that decoration; such scalars are kOther unless yaml-cpp calls them
// plain ("?" tag).
ScalarStyle StyleOf(const YAML::Node& node, std::string_view text) {
  if (node.Tag() == "?") return ScalarStyle::kPlain;
  const int pos = node.Mark().pos;
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

struct TooManyNodes {
  YAML::Mark mark;
};

// Throws (yaml-cpp's exceptions, TooDeep or TooManyNodes); the only caller catches. `budget`
// counts the nodes still allowed: aliases are expanded, and without a bound 500 bytes of nested
// anchors become billions of nodes.
YamlNode Convert(const YAML::Node& node, std::string_view text, int depth, size_t& budget) {
  const YAML::Mark mark = node.Mark();
  if (depth > kMaxYamlDepth) throw TooDeep{mark};
  if (budget == 0) throw TooManyNodes{mark};
  --budget;
  YamlNode out;
  if (!mark.is_null()) {
    out.line = mark.line + 1;
    out.column = mark.column + 1;
    out.offset = static_cast<size_t>(mark.pos);
  }
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      out.kind = YamlKind::kScalar;
      out.scalar = node.Scalar();
      out.style = StyleOf(node, text);
      break;
    case YAML::NodeType::Sequence:
      out.kind = YamlKind::kSequence;
      for (const YAML::Node& item : node)
        out.items.push_back(Convert(item, text, depth + 1, budget));
      break;
    case YAML::NodeType::Map:
      out.kind = YamlKind::kMapping;
      for (const auto& member : node) {
        YamlNode key = Convert(member.first, text, depth + 1, budget);
        out.members.emplace_back(std::move(key), Convert(member.second, text, depth + 1, budget));
      }
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out.kind = YamlKind::kNull;
      // yaml-cpp gives an empty value the position of the next token, which misleads; callers
      // report a null at its key instead.
      out.line = out.column = 0;
      out.offset = 0;
      break;
  }
  return out;
}

}  // namespace

tl::expected<std::vector<YamlNode>, YamlSyntaxError> ParseYaml(std::string_view text) {
  try {
    std::vector<YamlNode> documents;
    size_t budget = MaxYamlNodes(text.size());
    for (const YAML::Node& doc : YAML::LoadAll(std::string(text))) {
      documents.push_back(Convert(doc, text, 0, budget));
    }
    return documents;
  } catch (const YAML::Exception& e) {
    return tl::unexpected(YamlSyntaxError{e.mark.is_null() ? 0 : e.mark.line + 1,
                                          e.mark.is_null() ? 0 : e.mark.column + 1, e.msg});
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
