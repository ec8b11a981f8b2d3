// A compact binary form of a compiled IR tree (match/ir.h), for matchers compiled at build time.
//
// The built-in rule pack is compiled when trailwatch is built (src/rules/tools/compile_pack.cc)
// and its trees are stored in the binary in this form; at start-up DecodeIr rebuilds each tree
// without parsing or lowering the pattern again, which was most of a scan's or a Lambda cold
// start's own work (bench/README.md, "Start-up, third pass"). The form is private to one build
// (the binary that decodes is the one whose tool encoded): there is no versioning beyond a magic
// byte, and it is never read from a file.
//
// What is encoded is the whole tree as CompileMatcher makes it: node kinds, paths and array
// modes, leaf targets, ops, every operand field, negate and on_missing. Not encodable (EncodeIr
// fails, and the caller compiles the pattern at run time instead): kRegex operands (RE2 objects)
// and kDelimited nodes. `Node::field_id` is not encoded; a decoded tree has -1 everywhere, as a
// freshly compiled one does.
//
// Thread-safety: both functions are reentrant.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"
#include "match/ir.h"

namespace tw::match {

// Appends the encoding of `node` to `out`. kUnsupported for a tree with a regex operand or a
// delimited node (`out` is then unspecified).
[[nodiscard]] Result<void> EncodeIr(const Node& node, std::string& out);

// Rebuilds a tree from EncodeIr's output. kCorruption when `bytes` is not exactly one encoded
// tree.
[[nodiscard]] Result<NodePtr> DecodeIr(std::string_view bytes);

}  // namespace tw::match
