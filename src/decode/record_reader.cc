#include "decode/record_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

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

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char* SkipSpace(const char* p, const char* end) {
  while (p < end && IsJsonSpace(*p)) ++p;
  return p;
}

// The compression formats trailwatch does not read, by their magic bytes: a file in one of them
// gets one clear error instead of a verdict per line of binary.
const char* UnsupportedCompression(std::string_view in) {
  if (in.size() >= 4 && in.substr(0, 3) == "BZh" && in[3] >= '1' && in[3] <= '9') return "bzip2";
  if (in.substr(0, 6) == std::string_view("\xFD"
                                          "7zXZ\0",
                                          6))
    return "xz";
  if (in.substr(0, 4) == std::string_view("PK\x03\x04", 4)) return "zip";
  if (in.substr(0, 4) == std::string_view("\x28\xB5\x2F\xFD", 4)) return "zstd";
  if (in.substr(0, 6) == std::string_view("7z\xBC\xAF\x27\x1C", 6)) return "7z";
  if (in.substr(0, 2) == std::string_view("\x1F\x9D", 2)) return "compress (.Z)";
  if (in.substr(0, 4) == std::string_view("\x04\x22\x4D\x18", 4)) return "lz4";
  return nullptr;
}

// True when some line among the first kProbeBytes of `doc` starts (after blanks) with '{' or
// '[': the text may be NDJSON with a damaged line, and each line deserves its own verdict.
// Otherwise the input is not JSON in any form trailwatch reads.
bool HasJsonLine(std::string_view doc) {
  constexpr size_t kProbeBytes = 64 * 1024;
  const std::string_view probe = doc.substr(0, kProbeBytes);
  bool line_start = true;
  for (const char c : probe) {
    if (line_start && (c == '{' || c == '[')) return true;
    if (c == '\n') {
      line_start = true;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      line_start = false;
    }
  }
  return false;
}

// True when some line in the first 64 KB of `doc` is a whole JSON object on its own (it starts
// with '{' and ends with '}', blanks aside): records that line mode can still read.
bool HasObjectLine(std::string_view doc) {
  constexpr size_t kProbeBytes = 64 * 1024;
  const std::string_view probe = doc.substr(0, kProbeBytes);
  size_t pos = 0;
  while (pos < probe.size()) {
    size_t nl = probe.find('\n', pos);
    if (nl == std::string_view::npos) nl = probe.size();
    const std::string_view line = Trim(probe.substr(pos, nl - pos));
    if (line.size() >= 2 && line.front() == '{' && line.back() == '}') return true;
    pos = nl + 1;
  }
  return false;
}

constexpr const char* kNotCloudTrail =
    "not a CloudTrail, NDJSON, CloudWatch Logs or EventBridge file";

}  // namespace

// One past the bracket that brings the nesting from `depth` down to zero, strings respected;
// nullptr when `limit` comes first.
static const char* EndAtDepthZero(const char* p, const char* limit, int depth) {
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

const char* JsonValueEnd(const char* p, const char* limit) { return EndAtDepthZero(p, limit, 0); }

uint64_t RecordWhere::index() const { return lazy_ ? lazy_->LineAt(offset_) : index_; }

std::string RecordWhere::ToString() const {
  std::string out = document_ == 0 ? std::string() : fmt::format("document {}", document_);
  if (unit_ != Unit::kNone && !out.empty()) out += ", ";
  switch (unit_) {
    case Unit::kNone:
      break;
    case Unit::kRecord:
      out += fmt::format("record {}", index() + 1);  // people count records and lines from 1
      break;
    case Unit::kLine:
      out += fmt::format("line {}", index() + 1);
      break;
    case Unit::kLogEvent:
      out += fmt::format("logEvents[{}]", index());
      break;
  }
  return out;
}

// The 0-based line of byte `offset` of the current NDJSON document, counting forward from the
// last answer.
uint64_t RecordReader::LineAt(size_t offset) {
  if (offset < line_base_offset_) {
    line_base_offset_ = 0;
    line_base_ = 0;
  }
  // memchr from newline to newline: glibc's is vectorised, std::count here is a byte loop (a
  // whole extra pass over the input's bytes on the gate, ~7 instructions a byte).
  const char* p = line_doc_.data() + line_base_offset_;
  const char* const end = line_doc_.data() + offset;
  while (p < end) {
    p = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
    if (p == nullptr) break;
    ++line_base_;
    ++p;
  }
  line_base_offset_ = offset;
  return line_first_ + line_base_;
}

// The state of reading one document.
class RecordReader::Run {
 public:
  Run(RecordReader& reader, RecordVisitor& visitor, size_t capacity, uint64_t document = 0,
      uint64_t first_record = 0)
      : r_(reader),
        visitor_(visitor),
        capacity_(capacity),
        base_(first_record),
        document_(document) {}

  uint64_t base() const { return base_; }

  void Read(std::string_view name, std::string_view raw) {
    (void)name;
    std::string_view doc = raw;
    if (const char* format = UnsupportedCompression(raw)) {
      r_.decoded_bytes_ = 0;
      Report(RecordWhere(),
             Error{ErrorCode::kParse,
                   fmt::format("{} compression is not supported (decompress it first; trailwatch "
                               "reads gzip and plain JSON)",
                               format)});
      return;
    }
    if (LooksGzip(raw)) {
      // Into the reader's buffer, reused from input to input; it grows without a zero fill, to
      // the size the gzip trailer announces.
      auto gz = GunzipInto(raw, r_.doc_);
      if (!gz) {
        // doc_ holds everything decoded before the damage; its records are still read. The
        // error waits for the first record-level error, which names where the data ends.
        pending_gz_ = gz.error();
      }
      doc = r_.doc_.view();
      capacity_ = r_.doc_.capacity();
    }
    doc_ = doc;
    r_.decoded_bytes_ = doc.size();
    if (doc.substr(0, 3) == "\xEF\xBB\xBF") {
      // A byte order mark is not JSON (RFC 8259 section 8.1); some editors and exporters add
      // one. Read what follows, and say so.
      visitor_.OnError(RecordWhere(),
                       Error{ErrorCode::kParse,
                             "the input starts with a UTF-8 byte order mark, which is not JSON "
                             "(ignored; the records after it are read)"});
      doc.remove_prefix(3);
    }
    if (doc.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      if (!pending_gz_) Report(RecordWhere(), Error{ErrorCode::kParse, "empty input"});
    } else {
      DispatchAll(doc);
    }
    if (pending_gz_) visitor_.OnError(RecordWhere(), std::move(*pending_gz_));
  }

  // A run of NDJSON lines from a windowed input (RecordReader::ReadLines).
  void ReadWindow(std::string_view doc, uint64_t first_line) {
    doc_ = doc;
    r_.decoded_bytes_ = doc.size();
    if (first_line == 0 && doc.substr(0, 3) == "\xEF\xBB\xBF") {
      visitor_.OnError(RecordWhere(),
                       Error{ErrorCode::kParse,
                             "the input starts with a UTF-8 byte order mark, which is not JSON "
                             "(ignored; the records after it are read)"});
      doc.remove_prefix(3);
    }
    const size_t first = doc.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return;
    // Lines of NDJSON (or a single compact record line) are read as lines, numbered from
    // first_line. A window that holds something else (standard input streaming `zcat *.json.gz`:
    // CloudTrail files written one per line) is read as Read reads a document.
    const InputKind kind = ClassifyInput(doc.substr(first));
    bool lines = kind == InputKind::kNdjson || r_.options_.text_lines;
    if (kind == InputKind::kSingleEvent || kind == InputKind::kEventBridge) {
      const std::string_view line = Trim(doc.substr(first, doc.find('\n', first) - first));
      lines = !line.empty() && line.front() == '{' && line.back() == '}';
    }
    if (lines) {
      ReadLines(doc, doc, first_line);
    } else {
      DispatchAll(doc);
    }
  }

 private:
  // `where`, naming the document when the input is one document of a stream.
  RecordWhere Stamp(const RecordWhere& where) const {
    RecordWhere out = where;
    out.document_ = document_;
    return out;
  }

  void Report(const RecordWhere& unstamped, Error error) {
    const RecordWhere where = document_ == 0 ? unstamped : Stamp(unstamped);
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

  // Reads every JSON document of `doc`, one after another: `zcat *.json.gz`, a multi-member
  // gzip and `cat`ted files hold several CloudTrail files back to back; pretty-printed records
  // may follow one another. Each document is classified on its own. What follows the last
  // complete document and is not JSON is reported once, as trailing data.
  void DispatchAll(std::string_view doc) {
    const char* const end = doc.data() + doc.size();
    const char* p = SkipSpace(doc.data(), end);
    while (p < end) {
      const std::string_view rest(p, static_cast<size_t>(end - p));
      const char* next = Dispatch(doc, rest);
      if (next == nullptr) return;  // the reader consumed the rest (lines, CWL) or gave up
      p = SkipSpace(next, end);
      if (p < end && *p != '{' && *p != '[') {
        const std::string_view after(p, static_cast<size_t>(end - p));
        if (HasObjectLine(after)) {
          // Junk after a document, then lines that are records (`{..} x` on the first line of
          // NDJSON): line mode reports the junk with its line and reads the records.
          ReadLines(doc, after);
          return;
        }
        Report(RecordWhere(),
               Error{ErrorCode::kParse,
                     fmt::format("{} byte{} of trailing data after the last complete JSON "
                                 "document (at byte {}) are not JSON and were ignored",
                                 end - p, end - p == 1 ? "" : "s", p - doc_.data())});
        return;
      }
    }
  }

  // Reads the document at the start of `rest` (a suffix of `whole`). Returns where it ends, or
  // nullptr when nothing more is to be read after it.
  const char* Dispatch(std::string_view whole, std::string_view rest) {
    const InputKind kind = ClassifyInput(rest);
    switch (kind) {
      case InputKind::kDigest:
        visitor_.OnSkipped("CloudTrail digest file (no events)");
        return DocumentEnd(rest);
      case InputKind::kInsight:
        visitor_.OnSkipped("CloudTrail Insights file (not management events)");
        return DocumentEnd(rest);
      case InputKind::kCloudTrailFile:
        return ReadRecordsFile(rest);
      case InputKind::kRecordArray:
        return SalvageRecords(rest, rest.data() + rest.find('[') + 1, base_, /*in_object=*/false);
      case InputKind::kLookupEvents:
        return ReadLookupEvents(rest);
      case InputKind::kCwlSubscriptionLambda:
      case InputKind::kCwlSubscription:
        ReadCwl(rest, kind);
        return nullptr;
      case InputKind::kSingleEvent:
      case InputKind::kEventBridge:
        return ReadSingle(whole, rest);
      case InputKind::kNdjson:
        ReadLines(whole, rest);
        return nullptr;
      case InputKind::kUnknown:
        // Text (a log event per line for `match`), a lone JSON value that is not an object, or
        // NDJSON whose first line is damaged: line by line, so each line gets its own verdict.
        // A file with no JSON line at all (a README, a TSV) is one error, not one per line.
        if (!r_.options_.text_lines && !HasJsonLine(rest)) {
          Report(RecordWhere(), Error{ErrorCode::kParse, kNotCloudTrail});
          return nullptr;
        }
        ReadLines(whole, rest);
        return nullptr;
    }
    return nullptr;
  }

  // One past the end of the JSON value at the start of `rest`, or nullptr when it does not end.
  static const char* DocumentEnd(std::string_view rest) {
    return JsonValueEnd(rest.data(), rest.data() + rest.size());
  }

  // The capacity available after `p` for simdjson's padding.
  size_t CapacityFrom(const char* p) const {
    return capacity_ - static_cast<size_t>(p - doc_.data());
  }

  RecordWhere Record(uint64_t index) const { return RecordWhere(Unit::kRecord, index, lines_); }

  // One past the closing brace of the object whose Records array ended just before `p`:
  // skips the object's remaining members (strings respected).
  static const char* ObjectEndAfterArray(const char* p, const char* end) {
    return EndAtDepthZero(p, end, 1);
  }

  // A CloudTrail file, {"Records":[...]}, at the start of `doc`. Returns where the document
  // ends (nullptr: it does not, or nothing after it can be read).
  const char* ReadRecordsFile(std::string_view doc) {
    const char* const end = doc.data() + doc.size();
    if (visitor_.ChecksRecords()) {
      if (const std::optional<const char*> done = TakeRecordsFile(doc)) return *done;
    }
    ondemand::document d;
    ondemand::array records;
    if (r_.parser_.iterate(doc.data(), doc.size(), CapacityFrom(doc.data())).get(d) !=
            simdjson::SUCCESS ||
        d["Records"].get_array().get(records) != simdjson::SUCCESS) {
      // The document as a whole does not parse (truncated, damaged somewhere, or followed by
      // something that is not JSON). Read the records that are intact, one by one, and report
      // where the damage is.
      const size_t key = doc.find("\"Records\"");
      const size_t open = key == std::string_view::npos ? key : doc.find('[', key);
      if (open == std::string_view::npos) {
        Report(RecordWhere(),
               Error{ErrorCode::kParse, "not a CloudTrail log file: no Records array"});
        return nullptr;
      }
      return SalvageRecords(doc, doc.data() + open + 1, base_, /*in_object=*/true);
    }
    uint64_t index = base_;
    for (auto element : records) {
      ondemand::value v;
      const char* start = nullptr;
      ondemand::json_type type;
      if (std::move(element).get(v) != simdjson::SUCCESS ||
          v.current_location().get(start) != simdjson::SUCCESS ||
          v.type().get(type) != simdjson::SUCCESS) {
        if (start) return SalvageRecords(doc, start, index, true);
        Report(Record(index), Error{ErrorCode::kParse, "damaged JSON"});
        base_ = index + 1;
        return nullptr;
      }
      if (type != ondemand::json_type::object) {
        Report(Record(index), Error{ErrorCode::kParse, "a record must be a JSON object"});
        ++index;
        continue;
      }
      ondemand::object obj;
      if (v.get_object().get(obj) != simdjson::SUCCESS) {
        return SalvageRecords(doc, start, index, true);
      }
      const RecordStatus status = Visit(start, doc, Record(index));
      // Damage inside this record: go on record by record from here.
      if (status == RecordStatus::kDamaged) return SalvageRecords(doc, start, index, true);
      ReportStatus(status, Record(index));
      ++index;
      if (status != RecordStatus::kOk) {
        // A rejected record may have been walked to its end or not at all (the index walks
        // it, exhaustive evaluation does not), and the iterator's view of what follows would
        // differ with it. Go on record by record from its end, whatever the visitor read.
        const char* next = JsonValueEnd(start, end);
        if (next == nullptr) {
          base_ = index;
          return nullptr;
        }
        return SalvageRecords(doc, next, index, true);
      }
    }
    base_ = index;
    // Where the document ends: the iterator stands at the array's end; the object's other
    // members (rarely any) are skipped with a quick scan. Without a location, scan it all.
    const char* at = nullptr;
    if (d.current_location().get(at) == simdjson::SUCCESS && at != nullptr && at < end) {
      if (*at == ']') ++at;
      return ObjectEndAfterArray(at, end);
    }
    return DocumentEnd(doc);
  }

  // ReadRecordsFile for a visitor that checks records itself (RecordVisitor::ChecksRecords):
  // finds the Records array and the commas between records without parsing the file, and
  // hands each record over at its start; the visitor's walk says where it ends, and the
  // visitor checks its UTF-8 (a record with invalid UTF-8 is kDamaged: salvaged). Returns where
  // the document ends (nullptr: nothing after it can be read), or nullopt, having handed over
  // no record, when the file is not a plain one (an escaped member name, the Records member not
  // an array ...): ReadRecordsFile's parse then reads and reports it. Damage met after the
  // first record is handed over is salvaged as ReadRecordsFile does.
  std::optional<const char*> TakeRecordsFile(std::string_view doc) {
    const char* const end = doc.data() + doc.size();
    const char* p = SkipSpace(doc.data(), end);
    if (p == end || *p != '{') return std::nullopt;
    ++p;
    bool records_read = false;
    // Something irregular at `at`: before any record was handed over, ReadRecordsFile's parse
    // takes the file; after, it is reported once and the records stand.
    const auto Irregular = [&](const char* at) -> std::optional<const char*> {
      if (records_read) return DamagedAfterRecords(at);
      return std::nullopt;
    };
    for (;;) {
      p = SkipSpace(p, end);
      if (p == end || *p != '"') return Irregular(p);
      const char* key_end =
          static_cast<const char*>(std::memchr(p + 1, '"', static_cast<size_t>(end - (p + 1))));
      if (key_end == nullptr) return Irregular(p);
      const std::string_view key(p + 1, static_cast<size_t>(key_end - (p + 1)));
      if (key.find('\\') != std::string_view::npos) {
        return Irregular(p);
      }
      p = SkipSpace(key_end + 1, end);
      if (p == end || *p != ':') return Irregular(p);
      p = SkipSpace(p + 1, end);
      if (key == "Records" && !records_read) {  // the first Records member, as a parse reads it
        if (p == end || *p != '[') return std::nullopt;
        records_read = true;
        bool salvaged = false;
        p = TakeRecords(doc, p + 1, &salvaged);
        if (salvaged) return p;  // read to the document's end (nullptr: it does not end)
      } else {
        const char* value_end = p < end ? ValueEnd(p, end) : nullptr;  // unread
        if (value_end == nullptr) return Irregular(p);
        p = value_end;
      }
      p = SkipSpace(p, end);
      if (p < end && *p == ',') {
        ++p;
        continue;
      }
      // The document ends here; later documents may follow its closing brace.
      if (p < end && *p == '}' && records_read) return p + 1;
      return Irregular(p);
    }
  }

  // The records of a Records array from `p` (after its '['), for TakeRecordsFile. Returns where
  // the array ends (after its ']'); or, setting `salvaged`, what SalvageRecords returns once it
  // has taken over (where the document ends).
  const char* TakeRecords(std::string_view doc, const char* p, bool* salvaged) {
    const char* const end = doc.data() + doc.size();
    uint64_t index = base_;
    p = SkipSpace(p, end);
    if (p < end && *p == ']') {
      base_ = index;
      return p + 1;
    }
    for (;;) {
      if (p == end) return Salvage(doc, p, index, salvaged);
      const char* next = nullptr;  // where the element ends
      if (*p != '{') {
        // Not a record: reported, and the next element read, as ReadRecordsFile's parse does.
        next = ValueEnd(p, end);
        if (next == nullptr) return Salvage(doc, p, index, salvaged);
        Report(Record(index), Error{ErrorCode::kParse, "a record must be a JSON object"});
      } else {
        size_t length = 0;
        const RecordStatus status = Visit(p, doc, Record(index), {}, &length);
        // Damage inside this record: go on record by record from here.
        if (status == RecordStatus::kDamaged) return Salvage(doc, p, index, salvaged);
        ReportStatus(status, Record(index));
        // (A visitor that did not say where the record ends: a quick scan does.)
        next = length != 0 ? p + length : JsonValueEnd(p, end);
        if (next == nullptr) return Salvage(doc, end, index + 1, salvaged);
      }
      ++index;
      p = SkipSpace(next, end);
      if (p < end && *p == ',') {
        p = SkipSpace(p + 1, end);
        continue;
      }
      if (p < end && *p == ']') {
        base_ = index;
        return p + 1;
      }
      if (p < end && *p == '{') {
        // Two records without a comma between them: said, and the next one read.
        Report(Record(index), Error{ErrorCode::kParse,
                                    "damaged JSON: no `,` between this record and the one "
                                    "before it (the record is read)"});
      }
      return Salvage(doc, p, index, salvaged);
    }
  }

  // One past the JSON value at `p` (a quick scan, not a check): an object or array to its
  // closing bracket, a string to its closing quote, a number or literal up to the next `,`,
  // `]`, `}` or blank. nullptr when it does not end.
  static const char* ValueEnd(const char* p, const char* end) {
    if (*p == '{' || *p == '[') return JsonValueEnd(p, end);
    if (*p == '"') {
      for (++p; p < end && *p != '"'; ++p) {
        if (*p == '\\') ++p;
      }
      return p < end ? p + 1 : nullptr;
    }
    while (p < end && *p != ',' && *p != ']' && *p != '}' && !IsJsonSpace(*p)) ++p;
    return p < end ? p : nullptr;
  }

  const char* Salvage(std::string_view doc, const char* p, uint64_t index, bool* salvaged) {
    *salvaged = true;
    return SalvageRecords(doc, p, index, /*in_object=*/true);
  }

  // What follows a Records array that was read cannot be: reported once; the records stand.
  const char* DamagedAfterRecords(const char* p) {
    Report(RecordWhere(),
           Error{ErrorCode::kParse, fmt::format("damaged JSON after the Records array, at byte {}; "
                                                "the records before it were read",
                                                p - doc_.data() + 1)});
    return nullptr;
  }

  // `text`: the record's exact text when known (RecordView::text), else empty.
  RecordStatus Visit(const char* start, std::string_view doc, const RecordWhere& where,
                     std::string_view text = {}, size_t* length = nullptr) {
    if (document_ != 0) {
      return visitor_.OnRecord(RecordView{start, doc, text, length}, Stamp(where), error_);
    }
    return visitor_.OnRecord(RecordView{start, doc, text, length}, where, error_);
  }

  void ReportStatus(RecordStatus status, const RecordWhere& where) {
    if (status != RecordStatus::kOk) Report(where, std::move(error_));
  }

  // Reads the records of an array one at a time from `p`, each parsed on its own, so that
  // damage in one record (or a truncated file) costs only that record and what follows the
  // truncation. `in_object`: the array is the Records member of an object (a CloudTrail file)
  // rather than the document itself. Returns where the document ends (nullptr: it does not).
  const char* SalvageRecords(std::string_view doc, const char* p, uint64_t index, bool in_object) {
    const char* end = doc.data() + doc.size();
    while (true) {
      while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',')) ++p;
      if (p >= end) {
        Report(Record(index), Error{ErrorCode::kParse,
                                    "the file ends before the Records array is closed "
                                    "(truncated?)"});
        base_ = index;
        return nullptr;
      }
      if (*p == ']') {
        base_ = index;
        return in_object ? ObjectEndAfterArray(p + 1, end) : p + 1;
      }
      if (*p != '{') {
        Report(Record(index), Error{ErrorCode::kParse,
                                    "a record must be a JSON object; the rest of the file "
                                    "cannot be read"});
        base_ = index + 1;
        return nullptr;
      }
      const char* e = JsonValueEnd(p, end);
      if (e == nullptr) {
        Report(Record(index),
               Error{ErrorCode::kParse, "the file ends inside this record (truncated?)"});
        base_ = index + 1;
        return nullptr;
      }
      const std::string_view text(p, static_cast<size_t>(e - p));
      ReadOneObject(text, CapacityFrom(p), Record(index));
      ++index;
      p = e;
    }
  }

  // `aws cloudtrail lookup-events` output: {"Events":[{"CloudTrailEvent":"<record as JSON
  // text>", ...}], "NextToken": ...}. Each CloudTrailEvent string is one record.
  const char* ReadLookupEvents(std::string_view doc) {
    const char* doc_end = DocumentEnd(doc);
    const std::string_view whole =
        doc_end ? doc.substr(0, static_cast<size_t>(doc_end - doc.data())) : doc;
    std::vector<std::optional<std::string>> events;  // copied: the parser is reused below
    {
      ondemand::document d;
      ondemand::array array;
      if (auto err =
              r_.parser_.iterate(whole.data(), whole.size(), CapacityFrom(whole.data())).get(d);
          err || (err = d["Events"].get_array().get(array))) {
        Report(RecordWhere(),
               Error{ErrorCode::kParse, fmt::format("lookup-events output: Events: {}",
                                                    simdjson::error_message(err))});
        return doc_end;
      }
      for (auto element : array) {
        ondemand::object obj;
        std::string_view text;
        if (element.get_object().get(obj) == simdjson::SUCCESS &&
            obj["CloudTrailEvent"].get_string().get(text) == simdjson::SUCCESS) {
          events.emplace_back(std::string(text));
        } else {
          events.emplace_back(std::nullopt);
        }
      }
    }
    for (auto& event : events) {
      const RecordWhere where = Record(base_++);
      if (!event) {
        Report(where, Error{ErrorCode::kParse,
                            "Events[] entry without a CloudTrailEvent string (skipped)"});
        continue;
      }
      std::string& text = *event;
      text.reserve(text.size() + simdjson::SIMDJSON_PADDING);
      // As a CloudWatch Logs message (ReadCwl): the string is the record, exactly.
      if (visitor_.ChecksRecords() && TakeLine(text, Trim(text), where)) continue;
      ReadOneObject(text, text.capacity(), where, /*exact=*/true);
    }
    return doc_end;
  }

  // Reads `text` (one JSON object, with readable padding after it) as one record. `exact`: the
  // text is known to end at the object's closing brace (RecordView::text).
  void ReadOneObject(std::string_view text, size_t capacity, const RecordWhere& where,
                     bool exact = false) {
    ondemand::document d;
    if (auto err = r_.parser_.iterate(text.data(), text.size(), capacity).get(d)) {
      Report(where, Error{ErrorCode::kParse, simdjson::error_message(err)});
      return;
    }
    ondemand::json_type type;
    if (auto err = d.type().get(type)) {
      if (r_.options_.text_lines) return visitor_.OnText(text, Stamp(where));
      Report(where, Error{ErrorCode::kParse,
                          fmt::format("invalid JSON ({})", simdjson::error_message(err))});
      return;
    }
    if (type != ondemand::json_type::object) {
      if (r_.options_.text_lines) return visitor_.OnText(text, Stamp(where));
      Report(where, Error{ErrorCode::kParse, "an event must be a JSON object"});
      return;
    }
    ondemand::object obj;
    if (auto err = d.get_object().get(obj)) {
      Report(where, Error{ErrorCode::kParse, simdjson::error_message(err)});
      return;
    }
    const RecordStatus status = Visit(text.data(), text, where, exact ? text : std::string_view());
    if (r_.options_.text_lines &&
        (status == RecordStatus::kRejected || status == RecordStatus::kDamaged)) {
      // Not a usable JSON object after all: in match mode it is a text line.
      return visitor_.OnText(text, Stamp(where));
    }
    ReportStatus(status, where);
  }

  // One record or EventBridge event at the start of `rest`, possibly pretty-printed over many
  // lines; other documents may follow it (the caller reads them). A document whose first line
  // is a whole object and which goes on after it is NDJSON with a damaged or non-object second
  // line: line mode reports each line.
  const char* ReadSingle(std::string_view whole, std::string_view rest) {
    const size_t nl = rest.find('\n');
    if (nl != std::string_view::npos) {
      const std::string_view first = Trim(rest.substr(0, nl));
      const bool rest_blank = rest.find_first_not_of(" \t\r\n", nl) == std::string_view::npos;
      if (!rest_blank && !first.empty() && first.front() == '{' && first.back() == '}') {
        ReadLines(whole, rest);
        return nullptr;
      }
    }
    const char* e = DocumentEnd(rest);
    if (nl != std::string_view::npos && (e == nullptr || e < rest.data() + nl) &&
        HasObjectLine(rest.substr(nl + 1))) {
      // A first line that never closes, or an object with something else after it on its
      // line, and records on the lines after it: NDJSON whose first line is damaged, not one
      // document. Line mode reports that line (reading the object in it) and reads the others.
      ReadLines(whole, rest);
      return nullptr;
    }
    const std::string_view text = e ? rest.substr(0, static_cast<size_t>(e - rest.data())) : rest;
    ReadOneObject(text, CapacityFrom(text.data()), Record(base_++));
    return e;
  }

  // NDJSON or text from the start of `rest` (a suffix of `whole`, so that line numbers count
  // from the start of the input) to the end of the input.
  void ReadLines(std::string_view whole, std::string_view rest, uint64_t first_line = 0) {
    lines_ = true;
    const size_t from = static_cast<size_t>(rest.data() - whole.data());
    r_.line_doc_ = whole;
    r_.line_base_offset_ = 0;
    r_.line_base_ = 0;
    r_.line_first_ = first_line;
    if (r_.options_.text_lines || visitor_.ChecksRecords()) {
      return ReadLinesFrom(whole, from, r_.LineAt(from));
    }
    // The stream borrows the parser: it must be gone before line mode parses with it again.
    const size_t resume = from + StreamLines(rest, from);
    if (resume < whole.size()) ReadLinesFrom(whole, resume, r_.LineAt(resume));
  }

  // Reads documents with iterate_many until the first problem. `doc` starts at byte `base` of
  // the input. Returns the byte offset in `doc` where line mode must take over (doc.size() when
  // the stream went through).
  size_t StreamLines(std::string_view doc, size_t base) {
    size_t resume = 0;  // byte offset after the last document read
    ondemand::document_stream stream;
    if (r_.parser_.iterate_many(doc.data(), doc.size(), kBatchSize).get(stream) !=
        simdjson::SUCCESS) {
      return 0;
    }
    RecordWhere where(Unit::kLine, 0, /*lines=*/true);  // the line is counted on demand
    where.lazy_ = &r_;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      // The document's text, from its first to its last structural character, taken from the
      // parser's structural index. Asked before the document is entered: simdjson 3.0.1's
      // source() counts nesting from the iterator's current depth, so once inside the object it
      // never finds depth zero and returns the rest of the batch (which sent every NDJSON input
      // to line mode from its first document).
      // A stream in error (invalid UTF-8 found by stage 1, ...) has no structural index to
      // take the source from: line mode names the line.
      if (it.error() != simdjson::SUCCESS) return resume;
      const std::string_view src = it.source();
      ondemand::document_reference d;
      ondemand::object obj;
      if ((*it).get(d) != simdjson::SUCCESS || d.get_object().get(obj) != simdjson::SUCCESS) {
        return resume;
      }
      const size_t at = it.current_index();
      // One NDJSON document is one line. A document spanning lines means damage (an unclosed
      // brace swallowing the next line): let line mode sort it out. An object's source ends at
      // its closing brace; anything else is not a record here.
      if (src.empty() || src.back() != '}' || src.data() != doc.data() + at ||
          std::memchr(src.data(), '\n', src.size()) != nullptr) {
        return resume;
      }
      where.offset_ = base + at;
      // Any problem: re-do this document in line mode, which names the line in its error.
      if (Visit(doc.data() + at, doc, where, src) != RecordStatus::kOk) return resume;
      resume = at + src.size();
    }
    return stream.truncated_bytes() > 0 ? resume : doc.size();
  }

  void ReadLinesFrom(std::string_view doc, size_t pos, uint64_t line) {
    const bool take = visitor_.ChecksRecords() && !r_.options_.text_lines;
    while (pos < doc.size()) {
      const char* nl =
          static_cast<const char*>(std::memchr(doc.data() + pos, '\n', doc.size() - pos));
      const size_t end = nl ? static_cast<size_t>(nl - doc.data()) : doc.size();
      std::string_view text = doc.substr(pos, end - pos);
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      text = Trim(text);
      const RecordWhere where(Unit::kLine, line, true);
      if (!take || !TakeLine(doc.substr(pos), text, where)) ReadLine(text, where);
      ++line;
      pos = end + 1;
    }
  }

  // RecordVisitor::ChecksRecords: hands `text`, a line that starts with '{', to the visitor as
  // it is, its UTF-8 unchecked (the visitor checks it). Returns false, having reported nothing,
  // when the line is to be read by ReadLine instead: not such a line, or one the visitor did
  // not take (kRejected, kDamaged: several objects on the line, damage, invalid UTF-8), which
  // ReadLine reports. `rest`: the input from the
  // line's start (the padding lies after its end).
  bool TakeLine(std::string_view rest, std::string_view text, const RecordWhere& where) {
    if (text.empty()) return true;  // a blank line
    if (text.front() != '{') return false;
    const RecordStatus status = Visit(text.data(), rest, where, text);
    if (status == RecordStatus::kRejected || status == RecordStatus::kDamaged) return false;
    ReportStatus(status, where);
    return true;
  }

  // One line: usually one JSON object; several objects written on one line ({..}{..}) are each
  // read, with the line's number, and so is what follows an object on its line when it is not
  // an object (an error of that line).
  void ReadLine(std::string_view text, const RecordWhere& where) {
    while (!text.empty()) {
      const char* e = nullptr;
      if (text.front() == '{') e = JsonValueEnd(text.data(), text.data() + text.size());
      if (e == nullptr || e == text.data() + text.size()) {
        ReadOneObject(text, CapacityFrom(text.data()), where, /*exact=*/e != nullptr);
        return;
      }
      const std::string_view rest = Trim(text.substr(static_cast<size_t>(e - text.data())));
      if (r_.options_.text_lines && !rest.empty() && rest.front() != '{') {
        // `match`: a line that is an object and then text is not JSON: one text log event, as
        // CloudWatch Logs reads it.
        return visitor_.OnText(text, Stamp(where));
      }
      // The object is a record, and what follows it on the line is read as the next one (so
      // `{..}x` is a record and an error, as when the line is read in bulk: StreamLines takes
      // the object and leaves what follows to line mode).
      ReadOneObject(text.substr(0, static_cast<size_t>(e - text.data())), CapacityFrom(text.data()),
                    where, /*exact=*/true);
      text = rest;
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
      if (sub->log_events[i].error) {
        Report(RecordWhere(Unit::kLogEvent, i, lines_), std::move(*sub->log_events[i].error));
        continue;
      }
      std::string& message = sub->log_events[i].message;
      message.reserve(message.size() + simdjson::SIMDJSON_PADDING);
      const RecordWhere where(Unit::kLogEvent, i, lines_);
      // A visitor that checks records itself takes the message as it is, as an NDJSON line.
      if (visitor_.ChecksRecords() && TakeLine(message, Trim(message), where)) continue;
      // The message is the record, exactly: `{..}{..}` is damage, not a record and the rest lost.
      ReadOneObject(message, message.capacity(), where, /*exact=*/true);
    }
  }

  RecordReader& r_;
  RecordVisitor& visitor_;
  size_t capacity_;
  std::string_view doc_;
  std::optional<Error> pending_gz_;
  Error error_{ErrorCode::kInternal, {}};
  uint64_t base_ = 0;      // the index of the next record of a Records array or single document
  bool lines_ = false;     // the document is read line by line (NDJSON, text)
  uint64_t document_ = 0;  // 1-based: the input is this document of a stream (ReadDocument)
};

RecordReader::RecordReader(RecordReaderOptions options) : options_(options) {
#ifdef SIMDJSON_THREADS_ENABLED
  parser_.threaded = false;  // one reader is one thread: --threads means what it says
#endif
}

const std::string& RecordReader::Padded(const std::string& bytes) {
  if (bytes.capacity() >= bytes.size() + simdjson::SIMDJSON_PADDING) return bytes;
  padded_.reserve(bytes.size() + simdjson::SIMDJSON_PADDING);
  padded_.assign(bytes);
  return padded_;
}

void RecordReader::Read(std::string_view name, const std::string& bytes, RecordVisitor& visitor) {
  const std::string& input = Padded(bytes);
  Run run(*this, visitor, input.capacity());
  run.Read(name, input);
}

void RecordReader::Read(std::string_view name, const ByteBuffer& bytes, RecordVisitor& visitor) {
  Run run(*this, visitor, bytes.capacity());
  run.Read(name, bytes.view());
}

void RecordReader::ReadDocument(std::string_view name, const std::string& doc, uint64_t document,
                                uint64_t first_record, RecordVisitor& visitor) {
  const std::string& input = Padded(doc);
  Run run(*this, visitor, input.capacity(), document + 1, first_record);
  run.Read(name, input);
  records_read_ = run.base();
}

void RecordReader::ReadLines(std::string_view name, const std::string& lines, uint64_t first_line,
                             RecordVisitor& visitor) {
  (void)name;
  const std::string& input = Padded(lines);
  Run run(*this, visitor, input.capacity());
  run.ReadWindow(input, first_line);
}

}  // namespace tw::decode
