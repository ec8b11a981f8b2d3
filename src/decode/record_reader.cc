#include "decode/record_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "decode/cwl_subscription.h"
#include "decode/gzip.h"
#include "decode/input_kind.h"

namespace tw::decode {
namespace {

namespace ondemand = simdjson::ondemand;
using Unit = RecordWhere::Unit;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

constexpr size_t kBatchSize = 4 << 20;  // iterate_many's window

}  // namespace

const char* JsonValueEnd(const char* p, const char* limit) {
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

uint64_t RecordWhere::index() const { return lazy_ ? lazy_->LineAt(offset_) : index_; }

std::string RecordWhere::ToString() const {
  switch (unit_) {
    case Unit::kNone:
      return {};
    case Unit::kRecord:
      return fmt::format("record {}", index());
    case Unit::kLine:
      return fmt::format("line {}", index() + 1);  // people count lines from 1
    case Unit::kLogEvent:
      return fmt::format("logEvents[{}]", index());
  }
  return {};
}

// The 0-based line of byte `offset` of the current NDJSON document, counting forward from the
// last answer.
uint64_t RecordReader::LineAt(size_t offset) {
  if (offset < line_base_offset_) {
    line_base_offset_ = 0;
    line_base_ = 0;
  }
  line_base_ += static_cast<uint64_t>(
      std::count(line_doc_.data() + line_base_offset_, line_doc_.data() + offset, '\n'));
  line_base_offset_ = offset;
  return line_base_;
}

// The state of reading one document.
class RecordReader::Run {
 public:
  Run(RecordReader& reader, RecordVisitor& visitor, size_t capacity)
      : r_(reader), visitor_(visitor), capacity_(capacity) {}

  void Read(std::string_view name, std::string_view raw) {
    std::string_view doc = raw;
    if (LooksGzip(raw)) {
      auto gz = Gunzip(raw, r_.doc_);
      if (!gz) {
        // doc_ holds everything decoded before the damage; its records are still read. The
        // error waits for the first record-level error, which names where the data ends.
        pending_gz_ = gz.error();
      }
      doc = r_.doc_;
      capacity_ = r_.doc_.capacity();
    }
    doc_ = doc;
    r_.decoded_bytes_ = doc.size();
    if (doc.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      if (!pending_gz_) Report(RecordWhere(), Error{ErrorCode::kParse, "empty input"});
    } else {
      Dispatch(name, doc);
    }
    if (pending_gz_) visitor_.OnError(RecordWhere(), std::move(*pending_gz_));
  }

 private:
  void Report(const RecordWhere& where, Error error) {
    if (pending_gz_) {
      // After gzip damage the decoded text ends inside a record: that is one problem, reported
      // once, at the record where the readable data ends.
      Error gz = std::move(*pending_gz_);
      pending_gz_.reset();
      if (where.unit() != Unit::kNone) {
        gz.message = error.message + " (" + gz.message + ")";
        visitor_.OnError(where, std::move(gz));
        return;
      }
      visitor_.OnError(RecordWhere(), std::move(gz));
    }
    visitor_.OnError(where, std::move(error));
  }

  void Dispatch(std::string_view name, std::string_view doc) {
    const InputKind kind = ClassifyInput(doc, name);
    switch (kind) {
      case InputKind::kDigest:
        return visitor_.OnSkipped("CloudTrail digest file (no events)");
      case InputKind::kInsight:
        return visitor_.OnSkipped("CloudTrail Insights file (not management events)");
      case InputKind::kCloudTrailFile:
        return ReadRecordsFile(doc);
      case InputKind::kCwlSubscriptionLambda:
      case InputKind::kCwlSubscription:
        return ReadCwl(doc, kind);
      case InputKind::kSingleEvent:
      case InputKind::kEventBridge:
        return ReadSingle(doc);
      case InputKind::kNdjson:
        return ReadLines(doc);
      case InputKind::kUnknown:
        // Text (a log event per line for `match`), a lone JSON value that is not an object, or
        // NDJSON whose first line is damaged: line by line, so each line gets its own verdict.
        return ReadLines(doc);
    }
  }

  // The capacity available after `p` for simdjson's padding.
  size_t CapacityFrom(const char* p) const {
    return capacity_ - static_cast<size_t>(p - doc_.data());
  }

  RecordWhere Record(uint64_t index) const { return RecordWhere(Unit::kRecord, index, lines_); }

  void ReadRecordsFile(std::string_view doc) {
    ondemand::document d;
    if (r_.parser_.iterate(doc.data(), doc.size(), CapacityFrom(doc.data())).get(d) !=
        simdjson::SUCCESS) {
      // The document as a whole does not parse (truncated, or damaged somewhere). Read the
      // records that are intact, one by one, and report where the damage is.
      const size_t key = doc.find("\"Records\"");
      const size_t open = key == std::string_view::npos ? key : doc.find('[', key);
      if (open == std::string_view::npos) {
        Report(RecordWhere(),
               Error{ErrorCode::kParse, "not a CloudTrail log file: no Records array"});
        return;
      }
      return SalvageRecords(doc, doc.data() + open + 1, 0);
    }
    ondemand::array records;
    if (auto err = d["Records"].get_array().get(records)) {
      Report(RecordWhere(),
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
        if (start) return SalvageRecords(doc, start, index);
        return Report(Record(index), Error{ErrorCode::kParse, "damaged JSON"});
      }
      if (type != ondemand::json_type::object) {
        Report(Record(index), Error{ErrorCode::kParse, "a record must be a JSON object"});
        ++index;
        continue;
      }
      ondemand::object obj;
      if (v.get_object().get(obj) != simdjson::SUCCESS) return SalvageRecords(doc, start, index);
      const RecordStatus status = Visit(obj, start, doc, Record(index));
      // Damage inside this record: go on record by record from here.
      if (status == RecordStatus::kDamaged) return SalvageRecords(doc, start, index);
      ReportStatus(status, Record(index));
      ++index;
    }
  }

  RecordStatus Visit(ondemand::object& obj, const char* start, std::string_view doc,
                     const RecordWhere& where) {
    return visitor_.OnRecord(RecordView{obj, start, doc}, where, error_);
  }

  void ReportStatus(RecordStatus status, const RecordWhere& where) {
    if (status != RecordStatus::kOk) Report(where, std::move(error_));
  }

  // Reads the records of a Records array one at a time from `p`, each parsed on its own, so that
  // damage in one record (or a truncated file) costs only that record and what follows the
  // truncation.
  void SalvageRecords(std::string_view doc, const char* p, uint64_t index) {
    const char* end = doc.data() + doc.size();
    while (true) {
      while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')) ++p;
      if (p >= end) {
        Report(Record(index), Error{ErrorCode::kParse,
                                    "the file ends before the Records array is closed "
                                    "(truncated?)"});
        return;
      }
      if (*p == ']') return;
      if (*p != '{') {
        Report(Record(index), Error{ErrorCode::kParse,
                                    "a record must be a JSON object; the rest of the file "
                                    "cannot be read"});
        return;
      }
      const char* e = JsonValueEnd(p, end);
      if (e == nullptr) {
        Report(Record(index),
               Error{ErrorCode::kParse, "the file ends inside this record (truncated?)"});
        return;
      }
      const std::string_view text(p, static_cast<size_t>(e - p));
      ReadOneObject(text, CapacityFrom(p), Record(index));
      ++index;
      p = e;
    }
  }

  // Reads `text` (one JSON object, with readable padding after it) as one record.
  void ReadOneObject(std::string_view text, size_t capacity, const RecordWhere& where) {
    ondemand::document d;
    if (auto err = r_.parser_.iterate(text.data(), text.size(), capacity).get(d)) {
      Report(where, Error{ErrorCode::kParse, simdjson::error_message(err)});
      return;
    }
    ondemand::json_type type;
    if (auto err = d.type().get(type)) {
      if (r_.options_.text_lines) return visitor_.OnText(text, where);
      Report(where, Error{ErrorCode::kParse,
                          fmt::format("invalid JSON ({})", simdjson::error_message(err))});
      return;
    }
    if (type != ondemand::json_type::object) {
      if (r_.options_.text_lines) return visitor_.OnText(text, where);
      Report(where, Error{ErrorCode::kParse, "an event must be a JSON object"});
      return;
    }
    ondemand::object obj;
    if (auto err = d.get_object().get(obj)) {
      Report(where, Error{ErrorCode::kParse, simdjson::error_message(err)});
      return;
    }
    const RecordStatus status = Visit(obj, text.data(), text, where);
    if (r_.options_.text_lines &&
        (status == RecordStatus::kRejected || status == RecordStatus::kDamaged)) {
      // Not a usable JSON object after all: in match mode it is a text line.
      return visitor_.OnText(text, where);
    }
    ReportStatus(status, where);
  }

  // One record or EventBridge event, possibly pretty-printed over many lines. A document whose
  // first line is a whole object and which goes on after it is NDJSON with a damaged or
  // non-object second line: line mode reports each line.
  void ReadSingle(std::string_view doc) {
    const size_t nl = doc.find('\n');
    if (nl != std::string_view::npos) {
      const std::string_view first = Trim(doc.substr(0, nl));
      const bool rest_blank = doc.find_first_not_of(" \t\r\n", nl) == std::string_view::npos;
      if (!rest_blank && !first.empty() && first.front() == '{' && first.back() == '}') {
        return ReadLines(doc);
      }
    }
    ReadOneObject(doc, CapacityFrom(doc.data()), Record(0));
  }

  void ReadLines(std::string_view doc) {
    lines_ = true;
    if (r_.options_.text_lines) return ReadLinesFrom(doc, 0, 0);
    r_.line_doc_ = doc;
    r_.line_base_offset_ = 0;
    r_.line_base_ = 0;
    // The stream borrows the parser: it must be gone before line mode parses with it again.
    const size_t resume = StreamLines(doc);
    if (resume < doc.size()) ReadLinesFrom(doc, resume, r_.LineAt(resume));
  }

  // Reads documents with iterate_many until the first problem. Returns the byte offset where
  // line mode must take over (doc.size() when the stream went through).
  size_t StreamLines(std::string_view doc) {
    size_t resume = 0;  // byte offset after the last document read
    ondemand::document_stream stream;
    if (r_.parser_.iterate_many(doc.data(), doc.size(), kBatchSize).get(stream) !=
        simdjson::SUCCESS) {
      return 0;
    }
    RecordWhere where(Unit::kLine, 0, /*lines=*/true);  // the line is counted on demand
    where.lazy_ = &r_;
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
      where.offset_ = at;
      // Any problem: re-do this document in line mode, which names the line in its error.
      if (Visit(obj, doc.data() + at, doc, where) != RecordStatus::kOk) return resume;
      resume = at + src.size();
    }
    return stream.truncated_bytes() > 0 ? resume : doc.size();
  }

  void ReadLinesFrom(std::string_view doc, size_t pos, uint64_t line) {
    while (pos < doc.size()) {
      const char* nl =
          static_cast<const char*>(std::memchr(doc.data() + pos, '\n', doc.size() - pos));
      const size_t end = nl ? static_cast<size_t>(nl - doc.data()) : doc.size();
      std::string_view text = doc.substr(pos, end - pos);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (!Trim(text).empty()) {
        ReadOneObject(text, CapacityFrom(text.data()), RecordWhere(Unit::kLine, line, true));
      }
      ++line;
      pos = end + 1;
    }
  }

  void ReadCwl(std::string_view doc, InputKind kind) {
    auto sub = kind == InputKind::kCwlSubscriptionLambda ? DecodeCwlLambdaEvent(doc)
                                                         : ParseCwlSubscription(doc);
    if (!sub) {
      Report(RecordWhere(), sub.error());
      return;
    }
    if (sub->message_type == CwlMessageType::kControl) {
      return visitor_.OnSkipped("CloudWatch Logs CONTROL_MESSAGE (no events)");
    }
    for (size_t i = 0; i < sub->log_events.size(); ++i) {
      const std::string& message = sub->log_events[i].message;
      r_.message_.assign(message);
      r_.message_.reserve(message.size() + simdjson::SIMDJSON_PADDING);
      ReadOneObject(r_.message_, r_.message_.capacity(),
                    RecordWhere(Unit::kLogEvent, i, lines_));
    }
  }

  RecordReader& r_;
  RecordVisitor& visitor_;
  size_t capacity_;
  std::string_view doc_;
  std::optional<Error> pending_gz_;
  Error error_{ErrorCode::kInternal, {}};
  bool lines_ = false;  // the document is read line by line (NDJSON, text)
};

RecordReader::RecordReader(RecordReaderOptions options) : options_(options) {
#ifdef SIMDJSON_THREADS_ENABLED
  parser_.threaded = false;  // one reader is one thread: --threads means what it says
#endif
}

void RecordReader::Read(std::string_view name, const std::string& bytes, RecordVisitor& visitor) {
  const std::string* input = &bytes;
  if (bytes.capacity() < bytes.size() + simdjson::SIMDJSON_PADDING) {
    padded_.reserve(bytes.size() + simdjson::SIMDJSON_PADDING);
    padded_.assign(bytes);
    input = &padded_;
  }
  Run run(*this, visitor, input->capacity());
  run.Read(name, *input);
}

}  // namespace tw::decode
