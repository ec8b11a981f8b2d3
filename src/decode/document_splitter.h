// DocumentSplitter: complete top-level JSON documents (or complete lines) out of a byte stream
// that arrives in pieces, in bounded memory.
//
// Standard input that is not NDJSON (`zcat *.json.gz` gives CloudTrail files back to back with
// nothing between them, `cat *.json.gz` a multi-member gzip, pretty-printed records one after
// another, a JSON array of records) cannot be cut at line ends. The splitter finds where each
// top-level document ends instead: it follows JSON strings (with their escapes) and the nesting
// of `{}`/`[]`, carrying that state across the pieces, and hands out each document as soon as
// its closing bracket has arrived. It does not validate: the record reader does, one document
// at a time. The same splitter can cut at line ends instead (Unit::kLines), for NDJSON that
// arrives through a decompressor rather than straight from a descriptor.
//
// Memory: one buffer of `window` bytes (8 MiB) reused; a document (or line) longer than the
// buffer doubles it, up to `max_document` (256 MiB, the most one document may take); past it,
// the document is reported (kOversize, with its index, byte offset and the bytes dropped) and
// its bytes are dropped up to its end (nesting still followed, so the next document is found),
// and the buffer returns to the window size. So memory is bounded by the largest document the
// input holds, at most max_document (plus the window).
//
// Between documents: blank space is skipped; anything else that does not start a document
// (`{` or `[`) is a run of garbage, reported once (kGarbage: offset, length, the first bytes)
// when the next document starts or the input ends. A UTF-8 byte order mark at the very start
// is reported (kBom) and skipped. At the end of input (Finish) or at a break in the stream
// (Break: the decompressor lost data), a document begun but not complete is handed out as it
// is, marked `truncated`, so that the record reader can salvage the records it holds and name
// where the data ends.
//
// Locations: documents are numbered from 0 in stream order (`index`), and every piece carries
// the stream byte offset of its first byte (`offset`), both right across windows and breaks.
// In line mode `index` is the 0-based number of the first line of the run.
//
// Use: call Next() until it returns kNeedMore, then write bytes into Space() and Commit() them;
// at the end of input call Finish() and then Next() until kEnd.
//
// Ownership and thread-safety: owns its buffer; one thread at a time. Views in a Piece are valid
// until the next call of any method. The text of kDocument and kLines pieces has at least 64
// readable bytes after it (simdjson padding) that are not part of the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/error.h"

namespace tw::decode {

struct DocumentSplitterOptions {
  enum class Unit : uint8_t { kDocuments, kLines };
  Unit unit = Unit::kDocuments;
  // The buffer's size, allocated once and reused.
  std::size_t window = std::size_t{8} << 20;  // 8 MiB
  // The longest document (or line, without its '\n') kept; a longer one is reported and dropped.
  // At least `window`. 256 MiB: a CloudTrail log file is a few MB uncompressed.
  std::size_t max_document = std::size_t{256} << 20;
};

class DocumentSplitter {
 public:
  enum class Kind : uint8_t {
    kDocument,  // `text` is one document (index, offset; `truncated` when it never closed)
    kLines,     // line mode: `text` holds complete lines; index = first line (0-based), count
    kGarbage,   // `count` bytes at `offset` were not JSON; `text`: their first bytes (<= 32)
    kOversize,  // document (line) `index` at `offset` reached max_document: its `count` bytes
                // are dropped (reported once, when it is first seen to be too long)
    kBom,       // a UTF-8 byte order mark at offset 0, skipped
    kNeedMore,  // write more bytes (Space/Commit), or call Finish
    kEnd,       // Finish was called and everything was handed out
  };

  struct Piece {
    Kind kind = Kind::kNeedMore;
    std::string_view text;
    uint64_t index = 0;
    uint64_t offset = 0;
    uint64_t count = 0;
    bool truncated = false;
  };

  // Errors: kInvalidArgument when window is 0 or max_document < window.
  [[nodiscard]] static Result<DocumentSplitter> Create(DocumentSplitterOptions options = {});

  DocumentSplitter(DocumentSplitter&&) = default;
  DocumentSplitter& operator=(DocumentSplitter&&) = default;

  // The next piece. After kNeedMore, Space() has room.
  Piece Next();
  // Free room for new bytes (never empty after Next() returned kNeedMore).
  std::span<char> Space();
  // `n` bytes of Space() were written.
  void Commit(std::size_t n);
  // Copies `bytes` in, calling Next() is the caller's job: only valid when they fit in Space().
  // Returns false (nothing copied) when they do not.
  bool Append(std::string_view bytes);
  // The end of input: what is left is handed out by the next calls of Next().
  void Finish();
  // A break in the stream (bytes lost after those committed so far): once those are scanned,
  // the document or line in progress is handed out as it is (truncated), and scanning starts
  // afresh at the next byte committed. Call Next() until kNeedMore before committing more.
  void Break();

  // Bytes committed so far (the stream offset of the next byte).
  uint64_t offset() const { return base_ + end_; }
  // The current buffer size (window, or more while a long document is read).
  std::size_t buffer_size() const { return buffer_.size() - kPadding; }

 private:
  static constexpr std::size_t kPadding = 64;  // >= simdjson::SIMDJSON_PADDING
  enum class State : uint8_t { kBetween, kGarbage, kInDocument };

  explicit DocumentSplitter(DocumentSplitterOptions options);
  Piece NextDocument();
  Piece NextLines();
  // Scans document bytes from scan_ towards end_; true when the document closed (scan_ is one
  // past its closing bracket).
  bool ScanDocument();
  // Makes room: moves the unconsumed tail to the front, grows, shrinks, or starts dropping an
  // oversized unit (returns true and fills `piece` then).
  bool Compact(Piece& piece);
  // Compact(), or else a kNeedMore piece: what NextDocument and NextLines answer when the
  // window holds no whole unit.
  Piece CompactOrNeedMore();
  Piece TakeGarbage();
  Piece TakeTruncated();

  DocumentSplitterOptions options_;
  std::string buffer_;     // size = capacity in use + kPadding
  uint64_t base_ = 0;      // stream offset of buffer_[0]
  std::size_t begin_ = 0;  // first byte not yet handed out or dropped
  std::size_t end_ = 0;    // one past the last byte committed
  std::size_t scan_ = 0;   // next byte to look at
  State state_ = State::kBetween;
  int64_t depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  bool dropping_ = false;  // the current document is oversized: its bytes are not kept
  bool bom_checked_ = false;
  bool finished_ = false;
  bool pending_break_ = false;
  uint64_t unit_offset_ = 0;  // stream offset of the current document / garbage run
  uint64_t documents_ = 0;    // documents begun (the current one's index while in one)
  uint64_t lines_ = 0;        // lines handed out or dropped (line mode)
  uint64_t garbage_bytes_ = 0;
  std::string garbage_head_;
};

}  // namespace tw::decode
