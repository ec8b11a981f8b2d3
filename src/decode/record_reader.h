// RecordReader: one input document (bytes, possibly gzip) in, CloudTrail records out.
//
// Every source (files, stdin, and later S3, SQS, HTTP and Lambda) hands its documents to a
// RecordReader, which drives a RecordVisitor:
//   bytes -> gunzip if gzip (libdeflate, multi-member; salvages the readable prefix)
//         -> classify (input_kind.h) -> split into records:
//      CloudTrail file: the Records array, iterated with simdjson On-Demand, or, for a visitor
//        that checks records itself (ChecksRecords), walked by the reader between records (found
//        by content only: a file named like a digest that holds Records is read);
//      a JSON array of records, and `aws cloudtrail lookup-events` output (each
//        Events[i].CloudTrailEvent string is a record);
//      NDJSON: line by line (ChecksRecords), or iterate_many falling back to line by line at the
//        first problem;
//      CloudWatch Logs subscription payloads (both forms): one record per logEvents message;
//      a single record or EventBridge event (possibly pretty-printed): one record;
//      digest and Insights files, CONTROL_MESSAGEs: skipped (OnSkipped says why);
//      anything else with no line starting with '{' or '[' (a README, a TSV): one error, "not a
//        CloudTrail, NDJSON, CloudWatch Logs or EventBridge file"; bzip2, xz, zip, zstd, 7z,
//        compress and lz4 input (by magic bytes): one error, "<format> compression is not
//        supported".
// Several documents back to back in one input (`zcat *.json.gz`, a multi-member gzip,
// `cat`ted files, pretty-printed records one after another, two objects on one line) are all
// read, each classified on its own. A UTF-8 BOM at the start is reported (OnError, whole input)
// and skipped; bytes after the last complete document that are not JSON are reported once as
// trailing data; neither costs a record.
// The visitor sees each record's text, or its start in the document around it (the engine's
// one pass finds its end).
//
// Salvage: bad input never stops the reader. A damaged record costs that record: the reader
// reports it (OnError) and goes on with the next one; damage that makes the rest of a Records
// array unreadable is reported once at the record where readable data ends. When the visitor
// says a record's bytes are damaged (RecordStatus::kDamaged), the reader re-reads from that
// record one object at a time (a Records array) or line by line (NDJSON), so the error names
// the right record or line. A gzip stream damaged midway yields the records decoded before the
// damage, with one error that names the gzip problem and the record where the data ends.
//
// Record numbering (RecordWhere): "record N" in a Records array, a JSON array or a
// single-document input, counted on across the documents of one input; "line N" for NDJSON and
// text; both 1-based for people (0-based in index()). "logEvents[N]" for CloudWatch Logs
// subscriptions is the 0-based array index. A malformed logEvents[N] is one error there; the
// other entries are read. A document cut from a stream by DocumentSplitter (ReadDocument:
// standard input that is not NDJSON) numbers its records on from the documents before it, as
// a whole input would, and also names the document: "document 3, record 12".
//
// Ownership and thread-safety: a RecordReader owns its parser and buffers (reused from document
// to document) and is used by one thread at a time; make one per worker. Views passed to the
// visitor (the object, the text, the where) are valid only during the callback.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "decode/byte_buffer.h"

namespace tw::decode {

class RecordReader;

// Where a record sits in its input. Cheap to pass; formatted only when reporting.
class RecordWhere {
 public:
  enum class Unit : uint8_t { kNone, kRecord, kLine, kLogEvent };

  RecordWhere() = default;
  RecordWhere(Unit unit, uint64_t index, bool lines) : unit_(unit), lines_(lines), index_(index) {}

  Unit unit() const { return unit_; }
  // True when the input is read line by line (NDJSON, text): people count its lines from 1.
  bool lines() const { return lines_; }
  // The 0-based index of the record (or line, or log event) in the input.
  uint64_t index() const;
  // The 1-based number of the document this record is in, when the input was cut into
  // documents (RecordReader::ReadDocument); 0 otherwise.
  uint64_t document() const { return document_; }
  // "record 12", "line 7" (1-based), "logEvents[3]" (0-based index); empty for the input as a
  // whole. Prefixed "document 3, " (or just "document 3" for the document as a whole) when
  // document() is set.
  std::string ToString() const;

 private:
  friend class RecordReader;
  Unit unit_ = Unit::kNone;
  bool lines_ = false;
  uint64_t index_ = 0;
  uint64_t document_ = 0;
  // Non-null: the line is counted only when asked (NDJSON read in bulk), at byte `offset_`.
  RecordReader* lazy_ = nullptr;
  size_t offset_ = 0;
};

// One record as handed to the visitor: where it starts (its `{`) and the text it lies in.
// The record's text runs from `start` to its closing brace (JsonValueEnd(start, doc end));
// `doc` has simdjson padding readable after its end.
// `text`, when not empty, is that record text already delimited by the reader (an NDJSON line
// or document, a line that is one object), blanks around it possibly included; for a visitor
// whose ChecksRecords() is true, an NDJSON line as it is, which need not be one object (the
// visitor checks). Empty: not known (a record of a Records array): the record is at `start`,
// and the visitor finds its end (the engine's one pass does).
// `length`, when not null (text empty, a visitor whose ChecksRecords() is true): the visitor
// stores there the length of the record's text when it found it, whatever it returns but
// kDamaged; the reader goes on after it.
struct RecordView {
  const char* start;
  std::string_view doc;
  std::string_view text = {};
  size_t* length = nullptr;
};

// What the visitor made of a record.
enum class RecordStatus : uint8_t {
  kOk,        // evaluated
  kError,     // evaluated, with a problem to report (`error`)
  kRejected,  // readable but not evaluated (a member has the wrong type): report `error`
  kDamaged,   // the JSON is damaged from here: the reader recovers and reports as it sees fit
};

class RecordVisitor {
 public:
  virtual ~RecordVisitor() = default;
  // One record. Set `error` for every status but kOk.
  virtual RecordStatus OnRecord(const RecordView& record, const RecordWhere& where,
                                Error& error) = 0;
  // A line that is not a JSON object, with RecordReaderOptions::text_lines (`trailwatch match`:
  // a raw log event).
  virtual void OnText(std::string_view text, const RecordWhere& where) {
    (void)text;
    (void)where;
  }
  // A problem with the input (where.unit() == kNone) or with one record.
  virtual void OnError(const RecordWhere& where, Error error) = 0;
  // True when the visitor checks each record's whole text itself, grammar and end included
  // (the engine's one pass does). Then simdjson's stage 1 does not run over records first:
  //   - NDJSON lines, CloudWatch Logs messages and lookup-events CloudTrailEvent strings are
  //     handed over as they are (RecordView::text is the line or string); the reader checks
  //     only that it starts with '{';
  //   - the records of a CloudTrail file are handed over at their start (RecordView::length
  //     set), the reader finding the Records array and the commas between records itself.
  // Nor is UTF-8 checked first: the visitor checks it in each record (the engine does where
  // its pass saw a byte above 0x7F) and refuses a record that is not UTF-8.
  // A line or record the visitor refuses (kRejected for a line, kDamaged) is read again on its
  // own, which reports it; so is anything irregular around the records. Default false: each
  // record comes delimited by simdjson's parse, as one object.
  virtual bool ChecksRecords() const { return false; }
  // The input was recognised and deliberately skipped (a digest file): why.
  virtual void OnSkipped(std::string why) = 0;
};

struct RecordReaderOptions {
  // A line that is not a JSON object is a raw text log event (OnText), not an error.
  bool text_lines = false;
};

class RecordReader {
 public:
  explicit RecordReader(RecordReaderOptions options = {});
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Reads one input (one or more documents). `name` is the input's name (a path; "-" for
  // stdin); it is not used to classify (content only). `bytes` is the document as stored (gzip or
  // not); when its capacity leaves less than simdjson::SIMDJSON_PADDING spare bytes, it is copied
  // once.
  void Read(std::string_view name, const std::string& bytes, RecordVisitor& visitor);
  // The same, for bytes read into a ByteBuffer (decode::ReadFileInto), which always has the
  // padding: never copied.
  void Read(std::string_view name, const ByteBuffer& bytes, RecordVisitor& visitor);

  // Reads `lines`: a run of complete NDJSON lines cut from a larger input read in windows
  // (decode::LineReader: a window of a file, a stretch of standard input), whose first line is
  // line `first_line` (0-based) of that input. A run of NDJSON, or a single compact record on
  // its line, is read as lines (as text with RecordReaderOptions::text_lines), and every
  // "line N" it reports or hands to the visitor counts from the start of the input; a run that
  // classifies as anything else (CloudTrail files one per line, from `zcat` on standard input)
  // is read as Read reads a document. A UTF-8 BOM is reported and skipped only at first_line 0;
  // a run of blank lines is no error. Padding as in Read.
  void ReadLines(std::string_view name, const std::string& lines, uint64_t first_line,
                 RecordVisitor& visitor);

  // Reads one document cut from a stream by DocumentSplitter (standard input that is not
  // NDJSON: `zcat *.json.gz`, pretty-printed records, a JSON array), document `document`
  // (0-based) of that stream. It is read as Read reads an input (classified by content; a
  // document that ends early, `truncated` by the splitter, is salvaged record by record), and
  // every location names the document too (RecordWhere::document() is document + 1):
  // "document 4, record 12". Padding as in Read.
  // `first_record`: the 0-based number of its first record in the stream (records are numbered
  // on across the stream's documents, as Read numbers them across one input's documents);
  // records_read() then tells where the next document starts.
  void ReadDocument(std::string_view name, const std::string& doc, uint64_t document,
                    uint64_t first_record, RecordVisitor& visitor);
  // After ReadDocument: first_record plus the record numbers the document used.
  uint64_t records_read() const { return records_read_; }

  // The decompressed size of the last document read.
  uint64_t decoded_bytes() const { return decoded_bytes_; }

 private:
  friend class RecordWhere;
  class Run;

  uint64_t LineAt(size_t offset);
  // The input to read with simdjson padding: `bytes`, or a padded copy of it.
  const std::string& Padded(const std::string& bytes);

  RecordReaderOptions options_;
  simdjson::ondemand::parser parser_;
  std::string padded_;
  ByteBuffer doc_;  // the decompressed input (gzip), reused from input to input
  std::string_view line_doc_;
  size_t line_base_offset_ = 0;
  uint64_t line_base_ = 0;
  uint64_t line_first_ = 0;  // the input line of line_doc_'s first line (ReadLines)
  uint64_t decoded_bytes_ = 0;
  uint64_t records_read_ = 0;
};

// Returns one past the closing brace or bracket of the JSON object or array starting at `p`,
// or nullptr when `limit` comes first. A quick scan (strings and escapes respected), not a
// validation.
const char* JsonValueEnd(const char* p, const char* limit);

}  // namespace tw::decode
