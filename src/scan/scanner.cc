#include "scan/scanner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "decode/cwl_subscription.h"
#include "decode/file_reader.h"
#include "decode/gzip.h"
#include "decode/input_kind.h"
#include "event/envelope.h"
#include "match/evaluator.h"
#include "scan/extractor.h"

namespace tw::scan {
namespace {

namespace ondemand = simdjson::ondemand;

// Returns the end (one past the closing brace) of the JSON object starting at `p`, or nullptr.
// Used only for events that have candidate rules, to hand the record's text to the DOM parser.
const char* ObjectEnd(const char* p, const char* limit) {
  int depth = 0;
  bool in_string = false;
  for (; p < limit; ++p) {
    const char c = *p;
    if (in_string) {
      if (c == '\\') {
        ++p;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return p + 1;
    }
  }
  return nullptr;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Where a record sits in its file, for error messages. Formatted only when there is an error:
// the per-record path must not build a string for every event.
struct Where {
  enum class Unit : uint8_t { kNone, kRecord, kLine, kLogEvent };
  Unit unit = Unit::kNone;
  uint64_t index = 0;  // 0-based

  std::string ToString() const {
    switch (unit) {
      case Unit::kNone:
        return {};
      case Unit::kRecord:
        return fmt::format("record {}", index);
      case Unit::kLine:
        return fmt::format("line {}", index + 1);  // people count lines from 1
      case Unit::kLogEvent:
        return fmt::format("logEvents[{}]", index);
    }
    return {};
  }
};

class Worker {
 public:
  Worker(const CompiledRuleSet& rules, const ScanOptions& options, ScanProgress* progress)
      : rules_(rules),
        options_(options),
        progress_(progress),
        extractor_(rules.index().slots()),
        anchors_(rules.index().slots().size()) {
    if (!options_.use_index) {
      for (uint32_t i = 0; i < rules_.rules().size(); ++i) all_rules_.push_back(i);
    }
#ifdef SIMDJSON_THREADS_ENABLED
    parser_.threaded = false;  // one worker is one thread: --threads means what it says
#endif
  }

  void ProcessFile(const std::string& path, FileResult& out) {
    out = FileResult{};
    out.file = path;
    file_ = &out;
    truncated_ = false;
    lines_mode_ = false;
    auto read = path == "-" ? decode::ReadStream(stdin) : decode::ReadFile(path);
    if (!read) {
      AddError("", read.error());
      return;
    }
    raw_ = std::move(*read);
    std::string_view doc = raw_;
    if (decode::LooksGzip(raw_)) {
      auto gz = decode::Gunzip(raw_, doc_);
      if (!gz) {
        // doc_ holds everything decoded before the damage; its records are still evaluated.
        AddError("", gz.error());
        truncated_ = true;
      }
      doc = doc_;
      doc_capacity_ = doc_.capacity();
    } else {
      doc_capacity_ = raw_.capacity();
    }
    out.bytes = doc.size();
    if (progress_) progress_->bytes += doc.size();
    if (doc.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      if (!truncated_) AddError("", Error{ErrorCode::kParse, "empty input"});
      return;
    }
    Dispatch(path, doc);
  }

 private:
  void AddError(std::string where, Error error) {
    // After gzip damage the decoded text ends inside a record: that is one problem, reported
    // once, at the record where the readable data ends.
    if (truncated_ && !where.empty() && file_->errors.size() == 1 &&
        file_->errors[0].where.empty()) {
      InputError& gz = file_->errors[0];
      gz.where = std::move(where);
      gz.error.message = error.message + " (" + gz.error.message + ")";
      return;
    }
    file_->errors.push_back(InputError{file_->file, std::move(where), std::move(error)});
  }

  void Dispatch(const std::string& path, std::string_view doc) {
    const decode::InputKind kind = decode::ClassifyInput(doc, path);
    switch (kind) {
      case decode::InputKind::kDigest:
        file_->skipped = "CloudTrail digest file (no events)";
        return;
      case decode::InputKind::kInsight:
        file_->skipped = "CloudTrail Insights file (not management events)";
        return;
      case decode::InputKind::kCloudTrailFile:
        return ScanRecordsFile(doc);
      case decode::InputKind::kCwlSubscriptionLambda:
      case decode::InputKind::kCwlSubscription:
        return ScanCwl(doc, kind);
      case decode::InputKind::kSingleEvent:
      case decode::InputKind::kEventBridge:
        return ScanSingle(doc);
      case decode::InputKind::kNdjson:
        return ScanLines(doc);
      case decode::InputKind::kUnknown:
        // Text (a log event per line for `match`), a lone JSON value that is not an object, or
        // NDJSON whose first line is damaged: line by line, so each line gets its own verdict.
        return ScanLines(doc);
    }
  }

  // The capacity available after `p` for simdjson's padding.
  size_t CapacityFrom(const char* p, std::string_view doc) const {
    const char* base = doc.data();
    return doc_capacity_ - static_cast<size_t>(p - base);
  }

  void ScanRecordsFile(std::string_view doc) {
    ondemand::document d;
    if (parser_.iterate(doc.data(), doc.size(), CapacityFrom(doc.data(), doc)).get(d) !=
        simdjson::SUCCESS) {
      // The document as a whole does not parse (truncated, or damaged somewhere). Evaluate the
      // records that are intact, one by one, and report where the damage is.
      const size_t key = doc.find("\"Records\"");
      const size_t open = key == std::string_view::npos ? key : doc.find('[', key);
      if (open == std::string_view::npos) {
        AddError("", Error{ErrorCode::kParse, "not a CloudTrail log file: no Records array"});
        return;
      }
      return SalvageRecords(doc, doc.data() + open + 1, 0);
    }
    ondemand::array records;
    if (auto err = d["Records"].get_array().get(records)) {
      AddError("",
               Error{ErrorCode::kParse, fmt::format("Records: {}", simdjson::error_message(err))});
      return;
    }
    uint64_t index = 0;
    for (auto element : records) {
      ondemand::value v;
      const char* start = nullptr;
      ondemand::json_type type;
      if (std::move(element).get(v) != simdjson::SUCCESS ||
          v.current_location().get(start) != simdjson::SUCCESS ||
          v.type().get(type) != simdjson::SUCCESS) {
        return start ? SalvageRecords(doc, start, index)
                     : AddError(Where{Where::Unit::kRecord, index}.ToString(),
                                Error{ErrorCode::kParse, "damaged JSON"});
      }
      if (type != ondemand::json_type::object) {
        AddError(Where{Where::Unit::kRecord, index}.ToString(),
                 Error{ErrorCode::kParse, "a record must be a JSON object"});
        ++index;
        continue;
      }
      ondemand::object obj;
      if (v.get_object().get(obj) != simdjson::SUCCESS ||
          !EvaluateObject(obj, start, doc, Where{Where::Unit::kRecord, index}, index)) {
        // Damage inside this record: go on record by record from here.
        if (!file_->errors.empty()) file_->errors.pop_back();
        return SalvageRecords(doc, start, index);
      }
      ++index;
    }
  }

  // Evaluates the records of a Records array one at a time from `p`, each parsed on its own, so
  // that damage in one record (or a truncated file) costs only that record and what follows
  // the truncation.
  void SalvageRecords(std::string_view doc, const char* p, uint64_t index) {
    const char* end = doc.data() + doc.size();
    while (true) {
      while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')) ++p;
      if (p >= end) {
        AddError(Where{Where::Unit::kRecord, index}.ToString(),
                 Error{ErrorCode::kParse,
                       "the file ends before the Records array is closed "
                       "(truncated?)"});
        return;
      }
      if (*p == ']') return;
      if (*p != '{') {
        AddError(Where{Where::Unit::kRecord, index}.ToString(),
                 Error{ErrorCode::kParse,
                       "a record must be a JSON object; the rest of the file "
                       "cannot be read"});
        return;
      }
      const char* e = ObjectEnd(p, end);
      if (e == nullptr) {
        AddError(Where{Where::Unit::kRecord, index}.ToString(),
                 Error{ErrorCode::kParse, "the file ends inside this record (truncated?)"});
        return;
      }
      const std::string_view text(p, static_cast<size_t>(e - p));
      ScanOneObject(text, CapacityFrom(p, doc), Where{Where::Unit::kRecord, index}, index);
      ++index;
      p = e;
    }
  }

  // Evaluates one JSON object. Returns false when the document is damaged beyond this object.
  bool EvaluateObject(ondemand::object obj, const char* start, std::string_view doc, Where where,
                      uint64_t index) {
    const std::vector<uint32_t>* candidates = &all_rules_;
    bool envelope = false;
    if (options_.use_index) {
      auto r = extractor_.Extract(obj, anchors_.data(), source_scratch_);
      if (!r) {
        AddError(where.ToString(), r.error());
        return false;
      }
      if (!r->type_error.empty()) {
        AddError(where.ToString(), Error{ErrorCode::kParse, r->type_error});
        return true;
      }
      envelope = r->envelope;
      rules_.index().Candidates(anchors_.data(), candidates_);
      candidates = &candidates_;
    }
    ++file_->events;
    if (progress_) ++progress_->events;
    if (candidates->empty()) return true;
    const char* end = start ? ObjectEnd(start, doc.data() + doc.size()) : nullptr;
    if (end == nullptr) {
      AddError(where.ToString(), Error{ErrorCode::kParse, "unterminated JSON object"});
      return false;
    }
    const std::string_view text(start, static_cast<size_t>(end - start));
    EvaluateCandidates(text, *candidates, envelope, index, where);
    return true;
  }

  void EvaluateCandidates(std::string_view text, const std::vector<uint32_t>& candidates,
                          bool envelope, uint64_t index, Where where) {
    if (index == kLazyLine) index = LineAt(lazy_line_doc_, lazy_line_offset_);
    simdjson::dom::element root;
    if (auto err = dom_.parse(text.data(), text.size(), false).get(root)) {
      AddError(where.ToString(), Error{ErrorCode::kParse, simdjson::error_message(err)});
      return;
    }
    if (!options_.use_index && root.type() == simdjson::dom::element_type::OBJECT) {
      envelope = IsEnvelope(root);
    }
    simdjson::dom::element record = root;
    std::string record_text_storage;
    std::string_view record_text = text;
    if (envelope) {
      if (root["detail"].get(record) != simdjson::SUCCESS) record = root;
    }
    bool built_envelope = false;
    // One memo of the fields for all candidates of this event. The exhaustive mode (the match
    // command, and the reference the index is tested against) evaluates without it.
    match::FieldCache* fields = nullptr;
    if (options_.use_index) {
      fields_.NextEvent();
      fields = &fields_;
    }
    for (uint32_t id : candidates) {
      const ScanRule& rule = rules_.rules()[id];
      match::Subject subject;
      subject.fields = fields;
      if (rule.matcher->language == match::Language::kFilterPattern) {
        if (envelope && record_text_storage.empty()) {
          record_text_storage = simdjson::minify(record);
          record_text = record_text_storage;
        }
        subject.raw = record_text;
        subject.json = &record;
      } else if (options_.envelope_mode == EnvelopeMode::kAsGiven || envelope) {
        subject.raw = text;
        subject.json = &root;
      } else {
        if (!built_envelope) {
          event::BuildEnvelope(record, envelope_);
          built_envelope = true;
        }
        subject.raw = text;
        subject.json = &record;
        subject.envelope = &envelope_.envelope;
      }
      if (!match::Evaluate(*rule.matcher->root, subject)) continue;
      Alert alert;
      alert.rule = &rule.info;
      FillAlertFromRecord(record, alert);
      alert.input_file = file_->file;
      alert.input_record = index;
      alert.input_is_line = lines_mode_;
      if (options_.keep_raw) alert.raw_event = std::string(text);
      file_->alerts.push_back(std::move(alert));
      if (progress_) ++progress_->alerts;
    }
  }

  static bool IsEnvelope(simdjson::dom::element root) {
    std::string_view dt;
    simdjson::dom::object detail;
    return root["detail-type"].get_string().get(dt) == simdjson::SUCCESS &&
           event::IsCloudTrailDetailType(dt) &&
           root["detail"].get_object().get(detail) == simdjson::SUCCESS;
  }

  // Evaluates `text` (one JSON object, with readable padding after it) as record `index`.
  void ScanOneObject(std::string_view text, size_t capacity, Where where, uint64_t index) {
    ondemand::document d;
    if (auto err = parser_.iterate(text.data(), text.size(), capacity).get(d)) {
      AddError(where.ToString(), Error{ErrorCode::kParse, simdjson::error_message(err)});
      return;
    }
    ondemand::json_type type;
    if (auto err = d.type().get(type)) {
      if (options_.text_lines) return EvaluateText(text, index);
      AddError(
          where.ToString(),
          Error{ErrorCode::kParse, fmt::format("invalid JSON ({})", simdjson::error_message(err))});
      return;
    }
    if (type != ondemand::json_type::object) {
      if (options_.text_lines) return EvaluateText(text, index);
      AddError(where.ToString(), Error{ErrorCode::kParse, "an event must be a JSON object"});
      return;
    }
    ondemand::object obj;
    if (auto err = d.get_object().get(obj)) {
      AddError(where.ToString(), Error{ErrorCode::kParse, simdjson::error_message(err)});
      return;
    }
    const size_t before = file_->errors.size();
    const uint64_t events_before = file_->events;
    EvaluateObject(obj, text.data(), std::string_view(text.data(), text.size()), where, index);
    if (options_.text_lines && file_->errors.size() > before && file_->events == events_before) {
      // Not valid JSON after all: in match mode it is a text line.
      file_->errors.resize(before);
      EvaluateText(text, index);
    }
  }

  // A non-JSON log event (match command only): only text patterns can match it.
  void EvaluateText(std::string_view text, uint64_t index) {
    ++file_->events;
    if (progress_) ++progress_->events;
    for (uint32_t id : all_rules_) {
      const ScanRule& rule = rules_.rules()[id];
      if (rule.matcher->language != match::Language::kFilterPattern) continue;
      match::Subject subject;
      subject.raw = text;
      if (!match::Evaluate(*rule.matcher->root, subject)) continue;
      Alert alert;
      alert.rule = &rule.info;
      alert.input_file = file_->file;
      alert.input_record = index;
      if (options_.keep_raw) alert.raw_event = std::string(text);
      file_->alerts.push_back(std::move(alert));
    }
  }

  // One record or EventBridge event, possibly pretty-printed over many lines. A document whose
  // first line is a whole object and which goes on after it is NDJSON with a damaged or
  // non-object second line: line mode reports each line.
  void ScanSingle(std::string_view doc) {
    const size_t nl = doc.find('\n');
    if (nl != std::string_view::npos) {
      const std::string_view first = Trim(doc.substr(0, nl));
      const bool rest_blank = doc.find_first_not_of(" \t\r\n", nl) == std::string_view::npos;
      if (!rest_blank && !first.empty() && first.front() == '{' && first.back() == '}') {
        return ScanLines(doc);
      }
    }
    ScanOneObject(doc, CapacityFrom(doc.data(), doc), Where{Where::Unit::kRecord, 0}, 0);
  }

  void ScanLines(std::string_view doc) {
    lines_mode_ = true;
    if (options_.text_lines) return ScanLinesFrom(doc, 0, 0);
    line_base_offset_ = 0;
    line_base_ = 0;
    // The stream borrows parser_: it must be gone before line mode parses with it again.
    const size_t resume = StreamLines(doc);
    if (resume < doc.size()) ScanLinesFrom(doc, resume, LineAt(doc, resume));
  }

  // Evaluates documents with iterate_many until the first problem. Returns the byte offset
  // where line mode must take over (doc.size() when the stream went through).
  size_t StreamLines(std::string_view doc) {
    size_t resume = 0;  // byte offset after the last document evaluated
    ondemand::document_stream stream;
    if (parser_.iterate_many(doc.data(), doc.size(), kBatchSize).get(stream) != simdjson::SUCCESS) {
      return 0;
    }
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      ondemand::document_reference d;
      ondemand::object obj;
      if ((*it).get(d) != simdjson::SUCCESS || d.get_object().get(obj) != simdjson::SUCCESS) {
        return resume;
      }
      const size_t at = it.current_index();
      const std::string_view src = it.source();
      // One NDJSON document is one line. A document spanning lines means damage (an unclosed
      // brace swallowing the next line): let line mode sort it out.
      if (src.find('\n') < src.find_last_not_of(" \t\r\n")) return resume;
      const size_t errors_before = file_->errors.size();
      lazy_line_doc_ = doc;
      lazy_line_offset_ = at;
      if (!EvaluateObject(obj, doc.data() + at, doc, Where{}, kLazyLine) ||
          file_->errors.size() != errors_before) {
        // Re-do this document in line mode, which names the line in its error.
        file_->errors.resize(errors_before);
        return resume;
      }
      resume = at + src.size();
    }
    return stream.truncated_bytes() > 0 ? resume : doc.size();
  }

  // The 0-based line of byte `offset`, counting forward from the last answer.
  uint64_t LineAt(std::string_view doc, size_t offset) {
    if (offset < line_base_offset_) {
      line_base_offset_ = 0;
      line_base_ = 0;
    }
    line_base_ += static_cast<uint64_t>(
        std::count(doc.data() + line_base_offset_, doc.data() + offset, '\n'));
    line_base_offset_ = offset;
    return line_base_;
  }

  void ScanLinesFrom(std::string_view doc, size_t pos, uint64_t line) {
    while (pos < doc.size()) {
      const char* nl =
          static_cast<const char*>(std::memchr(doc.data() + pos, '\n', doc.size() - pos));
      const size_t end = nl ? static_cast<size_t>(nl - doc.data()) : doc.size();
      std::string_view text = doc.substr(pos, end - pos);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (!Trim(text).empty()) {
        ScanOneObject(text, CapacityFrom(text.data(), doc), Where{Where::Unit::kLine, line}, line);
      }
      ++line;
      pos = end + 1;
    }
  }

  void ScanCwl(std::string_view doc, decode::InputKind kind) {
    auto sub = kind == decode::InputKind::kCwlSubscriptionLambda
                   ? decode::DecodeCwlLambdaEvent(doc)
                   : decode::ParseCwlSubscription(doc);
    if (!sub) {
      AddError("", sub.error());
      return;
    }
    if (sub->message_type == decode::CwlMessageType::kControl) {
      file_->skipped = "CloudWatch Logs CONTROL_MESSAGE (no events)";
      return;
    }
    for (size_t i = 0; i < sub->log_events.size(); ++i) {
      const std::string& message = sub->log_events[i].message;
      message_.assign(message);
      message_.reserve(message.size() + simdjson::SIMDJSON_PADDING);
      ScanOneObject(message_, message_.capacity(), Where{Where::Unit::kLogEvent, i}, i);
    }
  }

  static constexpr size_t kBatchSize = 4 << 20;
  static constexpr uint64_t kLazyLine = ~uint64_t{0};  // "the line of lazy_line_offset_"

  const CompiledRuleSet& rules_;
  const ScanOptions& options_;
  ScanProgress* progress_;
  AnchorExtractor extractor_;
  std::vector<match::AnchorValue> anchors_;
  std::vector<uint32_t> candidates_;
  std::vector<uint32_t> all_rules_;
  std::string source_scratch_;
  event::EnvelopeStorage envelope_;
  match::FieldCache fields_;
  ondemand::parser parser_;
  simdjson::dom::parser dom_;
  std::string raw_;
  std::string doc_;
  std::string message_;
  size_t doc_capacity_ = 0;
  size_t line_base_offset_ = 0;
  uint64_t line_base_ = 0;
  std::string_view lazy_line_doc_;
  size_t lazy_line_offset_ = 0;
  bool truncated_ = false;
  bool lines_mode_ = false;  // the current file is read line by line (NDJSON, text)
  FileResult* file_ = nullptr;
};

}  // namespace

std::shared_ptr<const CompiledRuleSet> CompiledRuleSet::Create(std::vector<ScanRule> rules) {
  auto set = std::shared_ptr<CompiledRuleSet>(new CompiledRuleSet());
  set->rules_ = std::move(rules);
  std::vector<const match::Matcher*> matchers;
  for (const auto& r : set->rules_) {
    // Field ids are shared across rules of the same language (the root they see): see
    // match/field_cache.h. Assigned before the set is published to the workers.
    match::AssignFieldIds(*r.matcher->root, static_cast<uint32_t>(r.matcher->language));
    matchers.push_back(r.matcher.get());
  }
  set->index_ = match::RuleIndex::Build(matchers);
  return set;
}

std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs,
                                      std::vector<InputError>& errors) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    if (input == "-") {
      files.push_back(input);
      continue;
    }
    std::error_code ec;
    const auto status = fs::status(input, ec);
    if (ec || !fs::exists(status)) {
      errors.push_back(
          InputError{input, "", Error{ErrorCode::kNotFound, "no such file or directory"}});
      continue;
    }
    if (!fs::is_directory(status)) {
      files.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(
             input, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) found.push_back(it->path().string());
    }
    if (ec) errors.push_back(InputError{input, "", Error{ErrorCode::kIo, ec.message()}});
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

void Scan(const CompiledRuleSet& rules, const std::vector<std::string>& files,
          const ScanOptions& options, ScanListener& listener, ScanProgress* progress) {
  std::atomic<size_t> next{0};
  std::mutex deliver;
  auto run = [&] {
    Worker worker(rules, options, progress);
    FileResult result;
    for (size_t i = next++; i < files.size(); i = next++) {
      worker.ProcessFile(files[i], result);
      if (progress) ++progress->files;
      std::lock_guard<std::mutex> lock(deliver);
      listener.OnFile(result);
    }
  };
  const int threads = std::max(1, std::min<int>(options.threads, static_cast<int>(files.size())));
  if (threads <= 1) {
    run();
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(run);
  for (auto& t : pool) t.join();
}

}  // namespace tw::scan
