#include "cli/match_command.h"

#include <fmt/format.h>

#include <cstdio>

#include "cli/cli_util.h"
#include "common/clock.h"
#include "common/strings.h"
#include "decode/file_reader.h"
#include "match/dom_parser.h"
#include "pipeline/pipeline.h"
#include "sources/files/files_source.h"

namespace tw::cli {
namespace {

// Appends minified JSON `json` with the characters a terminal would act on, and that JSON allows
// raw inside strings, written as \uXXXX escapes instead: C1 controls (U+0080-U+009F: 0x9B is
// CSI on some terminals), bidi embeddings/overrides/isolates, zero-width characters and marks,
// U+2028/U+2029 and U+FEFF. C0 controls (ESC, BEL) are already escaped by the minifier. In
// minified JSON these characters can only occur inside strings, so the result is the same JSON.
void AppendTerminalSafeJson(std::string_view json, std::string& out) {
  for (size_t i = 0; i < json.size(); ++i) {
    const auto b0 = static_cast<unsigned char>(json[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (b0 == 0xC2 && i + 1 < json.size()) {
      cp = 0x80 + (static_cast<unsigned char>(json[i + 1]) - 0x80);
      len = 2;
      if (cp < 0x80 || cp > 0x9F) len = 0;
    } else if ((b0 == 0xE2 || b0 == 0xEF) && i + 2 < json.size()) {
      cp = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(json[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(json[i + 2]) & 0x3Fu);
      len = 3;
      const bool invisible = (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
                             (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
      if (!invisible) len = 0;
    }
    if (len == 0) {
      out += json[i];
      continue;
    }
    out += fmt::format("\\u{:04x}", cp);
    i += len - 1;
  }
}

// Prints each matching event on one line: compact JSON (terminal-safe, see above), or the text
// line escaped for a terminal (common/strings.h EscapeForTerminal: ESC, OSC and the like are
// shown as \xNN, a backslash as \\).
class MatchPrinter : public pipeline::BatchListener {
 public:
  void OnBatch(pipeline::BatchReport& r) override {
    for (const auto& a : r.alerts) {
      ++matches_;
      std::string line;
      bool json = false;
      if (!a.raw_event.empty() && a.raw_event.front() == '{') {
        simdjson::dom::element e;
        if (parser_.Parse(a.raw_event, /*padded=*/false, e) == simdjson::SUCCESS) {
          AppendTerminalSafeJson(parser_.wide_numbers() ? match::MinifyDom(e) : simdjson::minify(e),
                                 line);
          json = true;
        }
      }
      if (!json) line = EscapeForTerminal(a.raw_event);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    for (const auto& e : r.errors) {
      ++errors_;
      std::fprintf(stderr, "trailwatch: error: %s\n", DescribeInputError(e).c_str());
    }
  }
  uint64_t matches_ = 0;
  uint64_t errors_ = 0;

 private:
  match::DomParser parser_;  // numbers beyond simdjson's range included
};

}  // namespace

CLI::App* AddMatchCommand(CLI::App& app, MatchArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "match", "Print the events that one pattern matches (like aws logs test-metric-filter)");
  auto* fp = cmd->add_option("--filter-pattern", args.filter_pattern,
                             "A CloudWatch Logs filter pattern, verbatim")
                 ->type_name("PATTERN");
  auto* ep = cmd->add_option("--event-pattern", args.event_pattern,
                             "An EventBridge event pattern: JSON text, or @FILE")
                 ->type_name("JSON|@FILE");
  fp->excludes(ep);
  cmd->callback([&args, fp, ep] {
    args.given_filter = fp->count() > 0;
    args.given_event = ep->count() > 0;
  });
  cmd->add_flag("--envelope", args.envelope,
                "With --event-pattern: match CloudTrail records inside the EventBridge envelope "
                "EventBridge would deliver (source, detail-type, detail ...)");
  cmd->add_option("INPUT", args.inputs,
                  "Files or directories; - or nothing for stdin. Each JSON event, or each "
                  "non-JSON line, is one log event");
  cmd->footer(
      "\nExit status: 0 if any event matched, 1 if none matched, 2 for a bad pattern or usage, 3 "
      "when the output could not be written, 4 when some input could not be read (the rest is "
      "still matched).\n\n"
      "Examples:\n"
      "  trailwatch match --filter-pattern '{ $.errorCode = \"AccessDenied*\" }' events.ndjson\n"
      "  trailwatch match --event-pattern '{\"source\":[\"aws.kms\"]}' --envelope logs/\n"
      "  printf 'ERROR 1\\nok 2\\n' | trailwatch match --filter-pattern ERROR");
  return cmd;
}

int RunMatch(const MatchArgs& args) {
  if (args.given_filter == args.given_event) {
    PrintError("give one of --filter-pattern or --event-pattern\nRun 'match --help' for usage.");
    return kExitUsage;
  }
  const bool event_mode = args.given_event;
  if (!event_mode && args.envelope) {
    PrintError("--envelope goes with --event-pattern");
    return kExitUsage;
  }
  std::string text = event_mode ? args.event_pattern : args.filter_pattern;
  if (event_mode && !text.empty() && text[0] == '@') {
    auto file = decode::ReadFile(text.substr(1));
    if (!file) {
      PrintError(file.error().message);
      return kExitUsage;
    }
    text = *file;
  }
  auto matcher = match::CompileMatcher(
      event_mode ? match::Language::kEventPattern : match::Language::kFilterPattern, text);
  if (!matcher) {
    PrintError(matcher.error().message);
    return kExitUsage;
  }
  rules::Rule rule;
  rule.id = "match";
  rule.title = "match";
  rule.matcher = *matcher;
  std::vector<rules::Rule> rules;
  rules.push_back(std::move(rule));
  auto set = rules::RuleSet::Create(std::move(rules));

  pipeline::PipelineOptions options;
  options.ordered = true;  // input order, then record order
  options.engine.use_index = false;
  options.engine.keep_raw = true;
  options.engine.envelope_as_given = !args.envelope;
  options.reader.text_lines = true;
  std::vector<sources::ExpandError> input_errors;
  std::vector<std::string> inputs = args.inputs;
  if (inputs.empty()) inputs.push_back("-");
  auto files = sources::ExpandInputs(inputs, input_errors);
  MatchPrinter printer;
  for (const auto& e : input_errors) {
    ++printer.errors_;
    std::fprintf(stderr, "trailwatch: error: %s: %s\n", EscapeForTerminal(e.input).c_str(),
                 EscapeForTerminal(e.error.message).c_str());
  }
  // match = the files source -> the pipeline (every rule on every record, no sinks) -> printer.
  SystemClock clock;
  pipeline::PipelineParts parts;
  parts.rules = set;
  parts.sources.push_back(std::make_unique<sources::FilesSource>(std::move(files)));
  parts.clock = &clock;
  parts.listener = &printer;
  auto pipe = pipeline::Pipeline::Create(std::move(parts), options);
  TW_CHECK(pipe.has_value());
  const std::atomic<bool> stop{false};
  if (auto ran = (*pipe)->Run(stop); !ran) {
    ++printer.errors_;
    PrintError(ran.error().message);
  }
  if (printer.errors_ > 0) return kExitMatchInputError;
  return printer.matches_ > 0 ? kExitOk : kExitInputError;
}

}  // namespace tw::cli
