#include "cli/match_command.h"

#include <cstdio>

#include "cli/cli_util.h"
#include "common/strings.h"
#include "decode/file_reader.h"
#include "common/clock.h"
#include "pipeline/pipeline.h"
#include "sources/files/files_source.h"

namespace tw::cli {
namespace {

// Prints each matching event on one line: compact JSON, or the raw text line.
class MatchPrinter : public pipeline::BatchListener {
 public:
  void OnBatch(pipeline::BatchReport& r) override {
    for (const auto& a : r.alerts) {
      ++matches_;
      std::string line = a.raw_event;
      if (!line.empty() && line.front() == '{') {
        simdjson::dom::element e;
        if (parser_.parse(line).get(e) == simdjson::SUCCESS) line = simdjson::minify(e);
      }
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
    }
    for (const auto& e : r.errors) {
      ++errors_;
      std::string where = EscapeForTerminal(e.file);
      if (!e.where.empty()) where += ": " + e.where;
      std::fprintf(stderr, "trailwatch: error: %s: %s\n", where.c_str(),
                   EscapeForTerminal(e.error.message).c_str());
    }
  }
  uint64_t matches_ = 0;
  uint64_t errors_ = 0;

 private:
  simdjson::dom::parser parser_;
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
      "\nExit status: 0 if any event matched, 1 if none matched, 2 for a bad pattern or usage.\n\n"
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
    std::fprintf(stderr, "trailwatch: error: %s: %s\n", EscapeForTerminal(e.input).c_str(),
                 e.error.message.c_str());
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
  if (auto ran = (*pipe)->Run(stop); !ran) PrintError(ran.error().message);
  std::fflush(stdout);
  return printer.matches_ > 0 ? kExitOk : kExitInputError;
}

}  // namespace tw::cli
