// tw_compile_pack: parses the built-in rule files at build time and writes the table that
// LoadBuiltinRules(InlineTests::kSkip) builds the pack from (see rules/builtin_table.h).
//
//   tw_compile_pack <output.cc> <rules/a.yml> <rules/b.yml> ...
//
// The files are ordered by name, like the embedded pack (embed_rules.cmake). Every diagnostic
// ParseRuleFile reports is printed, with the file's path, and fails the build (exit status 1):
// a built-in rule must load. Each pattern is also compiled here and its IR tree stored in the
// table (match/ir_codec.h), so that start-up decodes trees instead of parsing and lowering
// patterns; a pattern that does not compile, or whose tree the codec cannot hold, gets no tree
// and is compiled at run time as before (which reports the error at its line). BuiltinTest
// checks that the table equals the YAML and every stored tree a fresh compile.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "match/ir_codec.h"
#include "match/matcher.h"
#include "rules/diagnostic.h"
#include "rules/rule_spec.h"

namespace tw::rules {
namespace {

// `s` as a C++ string literal. Bytes outside printable ASCII become three-digit octal escapes,
// which, unlike \x, cannot swallow a following character.
std::string Literal(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\{:03o}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

// The encoded IR tree of `spec`'s pattern as a string_view expression (its bytes may include
// NUL, so the length is given), or "{}" when the pattern is compiled at run time instead.
std::string IrView(const RuleSpec& spec) {
  if (spec.language == match::Language::kSigma) return "{}";
  auto matcher = match::CompileMatcher(spec.language, spec.pattern);
  if (!matcher) return "{}";
  std::string bytes;
  if (!match::EncodeIr(*(*matcher)->root, bytes)) return "{}";
  return fmt::format("std::string_view({}, {})", Literal(bytes), bytes.size());
}

const char* SeverityEnumerator(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "Severity::kInfo";
    case Severity::kLow:
      return "Severity::kLow";
    case Severity::kMedium:
      return "Severity::kMedium";
    case Severity::kHigh:
      return "Severity::kHigh";
    case Severity::kCritical:
      return "Severity::kCritical";
  }
  return "Severity::kInfo";
}

const char* LanguageEnumerator(match::Language language) {
  switch (language) {
    case match::Language::kFilterPattern:
      return "match::Language::kFilterPattern";
    case match::Language::kEventPattern:
      return "match::Language::kEventPattern";
    case match::Language::kSigma:
      return "match::Language::kSigma";
  }
  return "match::Language::kFilterPattern";
}

int Run(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: tw_compile_pack <output.cc> <rule.yml>...\n");
    return 2;
  }
  std::vector<std::filesystem::path> paths(argv + 2, argv + argc);
  std::sort(paths.begin(), paths.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });

  std::string references;  // the arrays the rule entries point at
  std::string entries;
  std::vector<Diagnostic> diagnostics;
  size_t count = 0;
  for (const std::filesystem::path& path : paths) {
    Result<std::string> text = ReadTextFile(path.string(), kMaxRuleFileBytes);
    if (!text) {
      std::fprintf(stderr, "%s\n", text.error().message.c_str());
      return 1;
    }
    ParsedRuleFile parsed = ParseRuleFile(*text, path.string(), "");
    diagnostics.insert(diagnostics.end(), parsed.diagnostics.begin(), parsed.diagnostics.end());
    if (!parsed.diagnostics.empty()) continue;
    for (const RuleSpec& spec : parsed.rules) {
      // A list becomes a named array the entry points at ("{}" when empty).
      auto array = [&](const char* prefix, const std::vector<std::string>& items) {
        if (items.empty()) return std::string("{}");
        std::string name = fmt::format("k{}{}", prefix, count);
        references += fmt::format("constexpr std::string_view {}[] = {{\n", name);
        for (const std::string& item : items) references += "    " + Literal(item) + ",\n";
        references += "};\n";
        return name;
      };
      const std::string refs = array("References", spec.references);
      const std::string tags = array("Tags", spec.tags);
      const std::string techniques = array("MitreAttack", spec.mitre_attack);
      entries += fmt::format(
          "    {{.file = {},\n"
          "     .id = {},\n"
          "     .title = {},\n"
          "     .description = {},\n"
          "     .severity = {},\n"
          "     .references = {},\n"
          "     .tags = {},\n"
          "     .mitre_attack = {},\n"
          "     .language = {},\n"
          "     .pattern = {},\n"
          "     .line = {},\n"
          "     .column = {},\n"
          "     .pattern_line = {},\n"
          "     .pattern_column = {},\n"
          "     .policy_json = {},\n"
          "     .ir = {}}},\n",
          Literal(path.filename().string()), Literal(spec.id), Literal(spec.title),
          Literal(spec.description), SeverityEnumerator(spec.severity), refs, tags, techniques,
          LanguageEnumerator(spec.language), Literal(spec.pattern), spec.where.line,
          spec.where.column, spec.pattern_where.line, spec.pattern_where.column,
          Literal(spec.policy_json), IrView(spec));
      ++count;
    }
  }
  if (!diagnostics.empty()) {
    std::fprintf(stderr, "%s\n", FormatDiagnostics(diagnostics).c_str());
    return 1;
  }

  std::string content =
      "// Generated by tw_compile_pack (src/rules/tools/compile_pack.cc) from rules/*.yml.\n"
      "// Do not edit.\n"
      "#include \"rules/builtin_table.h\"\n\n"
      "namespace tw::rules::internal {\n\n";
  if (count > 0) {
    content += fmt::format(
        "namespace {{\n\n{}constexpr PrecompiledRule kRules[] = {{\n{}}};\n\n}}  // namespace\n\n",
        references, entries);
  }
  content += fmt::format(
      "std::span<const PrecompiledRule> PrecompiledBuiltinRules() {{ return {}; }}\n\n"
      "}}  // namespace tw::rules::internal\n",
      count > 0 ? "kRules" : "{}");

  const std::string output = argv[1];
  std::FILE* f = std::fopen(output.c_str(), "wb");
  bool written = f != nullptr;
  if (written) {
    written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
    written = std::fclose(f) == 0 && written;
  }
  if (!written) {
    std::fprintf(stderr, "tw_compile_pack: cannot write %s\n", output.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace tw::rules

int main(int argc, char** argv) { return tw::rules::Run(argc, argv); }
