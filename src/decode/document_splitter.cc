#include "decode/document_splitter.h"

#include <algorithm>
#include <cstring>
#include <utility>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace tw::decode {
namespace {

constexpr std::string_view kBomBytes = "\xEF\xBB\xBF";
constexpr std::size_t kGarbageHead = 32;

bool Blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Result<DocumentSplitter> DocumentSplitter::Create(DocumentSplitterOptions options) {
  if (options.window == 0) {
    return Fail(ErrorCode::kInvalidArgument, "document splitter: window is 0");
  }
  if (options.max_document < options.window) {
    return Fail(ErrorCode::kInvalidArgument,
                "document splitter: max_document is smaller than the window");
  }
  return DocumentSplitter(options);
}

DocumentSplitter::DocumentSplitter(DocumentSplitterOptions options) : options_(options) {
  buffer_.resize(options_.window + kPadding);
  bom_checked_ = options_.unit == DocumentSplitterOptions::Unit::kLines;
}

std::span<char> DocumentSplitter::Space() {
  return std::span<char>(buffer_.data() + end_, buffer_size() - end_);
}

void DocumentSplitter::Commit(std::size_t n) { end_ += std::min(n, buffer_size() - end_); }

bool DocumentSplitter::Append(std::string_view bytes) {
  if (bytes.size() > buffer_size() - end_) return false;
  std::memcpy(buffer_.data() + end_, bytes.data(), bytes.size());
  end_ += bytes.size();
  return true;
}

void DocumentSplitter::Finish() { finished_ = true; }

void DocumentSplitter::Break() { pending_break_ = true; }

DocumentSplitter::Piece DocumentSplitter::Next() {
  return options_.unit == DocumentSplitterOptions::Unit::kLines ? NextLines() : NextDocument();
}

#ifdef __SSE2__
namespace {

// Bit i set where byte i of the 64 at `p` equals `c`.
struct Block {
  uint64_t quote, backslash, open, close;
};

inline uint64_t Mask16(__m128i eq) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(eq)));
}

inline Block Classify(const char* p) {
  Block blk{0, 0, 0, 0};
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i lower = _mm_set1_epi8(0x20);
  const __m128i open = _mm_set1_epi8('{');   // '[' | 0x20 == '{'
  const __m128i close = _mm_set1_epi8('}');  // ']' | 0x20 == '}'
  for (int k = 0; k < 4; ++k) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    const __m128i folded = _mm_or_si128(v, lower);
    const int shift = 16 * k;
    blk.quote |= Mask16(_mm_cmpeq_epi8(v, quote)) << shift;
    blk.backslash |= Mask16(_mm_cmpeq_epi8(v, backslash)) << shift;
    blk.open |= Mask16(_mm_cmpeq_epi8(folded, open)) << shift;
    blk.close |= Mask16(_mm_cmpeq_epi8(folded, close)) << shift;
  }
  return blk;
}

// The number of bits set (inline: without -mpopcnt, __builtin_popcountll is a libgcc call).
inline int64_t Popcount(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return static_cast<int64_t>((x * 0x0101010101010101ull) >> 56);
}

// Bit i = XOR of bits 0..i.
inline uint64_t PrefixXor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace
#endif

bool DocumentSplitter::ScanDocument() {
  const char* const b = buffer_.data();
  std::size_t p = scan_;
  while (p < end_) {
#ifdef __SSE2__
    // 64 bytes at a time, as simdjson's stage 1 does, when the block holds no backslash (the
    // common case; a block with one is walked byte by byte below): a prefix XOR of the quotes
    // tells which bytes are inside strings, and the brackets outside them change the depth.
    // Only a block with at least as many closing brackets as the depth can end the document;
    // its brackets are then walked in order.
    if (!escape_ && p + 64 <= end_) {
      const Block blk = Classify(b + p);
      if (blk.backslash == 0) {
        uint64_t strings = PrefixXor(blk.quote);
        if (in_string_) strings = ~strings;
        const uint64_t open = blk.open & ~strings;
        const uint64_t close = blk.close & ~strings;
        const int64_t closes = Popcount(close);
        if (depth_ > closes) {
          depth_ += Popcount(open) - closes;
        } else {
          for (uint64_t bits = open | close; bits != 0; bits &= bits - 1) {
            const int i = __builtin_ctzll(bits);
            if ((open >> i) & 1) {
              ++depth_;
            } else if (--depth_ <= 0) {
              scan_ = p + static_cast<std::size_t>(i) + 1;
              in_string_ = false;
              return true;
            }
          }
        }
        in_string_ = (strings >> 63) != 0;
        p += 64;
        continue;
      }
    }
    const std::size_t stop = std::min(end_, p + 64);
#else
    const std::size_t stop = end_;
#endif
    while (p < stop) {
      if (in_string_) {
        if (escape_) {
          escape_ = false;
          ++p;
          continue;
        }
        while (p < end_ && b[p] != '"' && b[p] != '\\') ++p;
        if (p == end_) break;
        if (b[p] == '\\') {
          escape_ = true;  // the next byte, perhaps in the next piece, is escaped
        } else {
          in_string_ = false;
        }
        ++p;
        continue;
      }
      const char c = b[p++];
      switch (c) {
        case '"':
          in_string_ = true;
          break;
        case '{':
        case '[':
          ++depth_;
          break;
        case '}':
        case ']':
          if (--depth_ <= 0) {
            scan_ = p;
            return true;
          }
          break;
        default:
          break;
      }
    }
  }
  scan_ = p;
  return false;
}

DocumentSplitter::Piece DocumentSplitter::CompactOrNeedMore() {
  Piece piece;
  if (Compact(piece)) return piece;
  piece.kind = Kind::kNeedMore;
  return piece;
}

bool DocumentSplitter::Compact(Piece& piece) {
  const std::size_t tail = end_ - begin_;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, tail);
    base_ += begin_;
    scan_ -= begin_;
    end_ = tail;
    begin_ = 0;
  }
  const std::size_t size = buffer_size();
  if (end_ == size) {  // full, and the unit in it is not complete
    if (size < options_.max_document) {
      buffer_.resize(std::min(size * 2, options_.max_document) + kPadding);
      return false;
    }
    dropping_ = true;
    piece = Piece{};
    piece.kind = Kind::kOversize;
    if (options_.unit == DocumentSplitterOptions::Unit::kLines) {
      piece.index = lines_;
      piece.offset = base_;
    } else {
      piece.index = documents_;
      piece.offset = unit_offset_;
    }
    piece.count = end_;
    base_ += end_;
    begin_ = end_ = scan_ = 0;
    return true;
  }
  if (size > options_.window && end_ < options_.window) {
    // A long document has passed: give the memory back.
    std::string smaller(options_.window + kPadding, '\0');
    std::memcpy(smaller.data(), buffer_.data(), end_);
    buffer_.swap(smaller);
  }
  return false;
}

DocumentSplitter::Piece DocumentSplitter::TakeGarbage() {
  Piece piece;
  piece.kind = Kind::kGarbage;
  piece.offset = unit_offset_;
  piece.count = garbage_bytes_;
  piece.text = garbage_head_;
  state_ = State::kBetween;
  garbage_bytes_ = 0;
  return piece;
}

DocumentSplitter::Piece DocumentSplitter::TakeTruncated() {
  Piece piece;
  piece.kind = Kind::kDocument;
  piece.text = std::string_view(buffer_.data() + begin_, end_ - begin_);
  piece.index = documents_++;
  piece.offset = unit_offset_;
  piece.truncated = true;
  begin_ = scan_ = end_;
  state_ = State::kBetween;
  depth_ = 0;
  in_string_ = escape_ = false;
  return piece;
}

DocumentSplitter::Piece DocumentSplitter::NextDocument() {
  const char* const b = buffer_.data();
  for (;;) {
    if (!bom_checked_) {
      const std::string_view head(b + begin_, end_ - begin_);
      if (head.size() < kBomBytes.size() && !finished_ &&
          kBomBytes.substr(0, head.size()) == head) {
        Piece piece;
        piece.kind = Kind::kNeedMore;
        return piece;  // maybe a BOM: wait for more (the window is far larger than 3 bytes)
      }
      bom_checked_ = true;
      if (head.substr(0, kBomBytes.size()) == kBomBytes) {
        begin_ += kBomBytes.size();
        scan_ = begin_;
        Piece piece;
        piece.kind = Kind::kBom;
        return piece;
      }
    }
    switch (state_) {
      case State::kBetween: {
        while (scan_ < end_ && Blank(b[scan_])) ++scan_;
        begin_ = scan_;
        if (scan_ == end_) break;
        unit_offset_ = base_ + scan_;
        if (b[scan_] == '{' || b[scan_] == '[') {
          state_ = State::kInDocument;
          depth_ = 0;
          in_string_ = escape_ = false;
        } else {
          state_ = State::kGarbage;
          garbage_bytes_ = 0;
          garbage_head_.clear();
        }
        continue;
      }
      case State::kGarbage: {
        std::size_t p = scan_;
        while (p < end_ && b[p] != '{' && b[p] != '[') ++p;
        if (garbage_head_.size() < kGarbageHead) {
          garbage_head_.append(b + scan_, std::min(p - scan_, kGarbageHead - garbage_head_.size()));
        }
        garbage_bytes_ += p - scan_;
        begin_ = scan_ = p;
        if (p < end_) return TakeGarbage();
        break;
      }
      case State::kInDocument: {
        if (ScanDocument()) {
          state_ = State::kBetween;
          const uint64_t index = documents_++;
          if (dropping_) {
            dropping_ = false;
            begin_ = scan_;
            continue;  // reported when it became too long
          }
          Piece piece;
          piece.kind = Kind::kDocument;
          piece.text = std::string_view(b + begin_, scan_ - begin_);
          piece.index = index;
          piece.offset = unit_offset_;
          begin_ = scan_;
          return piece;
        }
        if (dropping_) begin_ = scan_;
        break;
      }
    }
    // Everything committed has been looked at.
    if (pending_break_) {
      pending_break_ = false;
      if (state_ == State::kGarbage) return TakeGarbage();
      if (state_ == State::kInDocument) {
        if (!dropping_) return TakeTruncated();
        dropping_ = false;
        ++documents_;
        state_ = State::kBetween;
        depth_ = 0;
        in_string_ = escape_ = false;
      }
      continue;
    }
    if (finished_) {
      if (state_ == State::kGarbage) return TakeGarbage();
      if (state_ == State::kInDocument) {
        if (!dropping_) return TakeTruncated();
        dropping_ = false;
        ++documents_;
        state_ = State::kBetween;
      }
      Piece piece;
      piece.kind = Kind::kEnd;
      return piece;
    }
    return CompactOrNeedMore();
  }
}

DocumentSplitter::Piece DocumentSplitter::NextLines() {
  const char* const b = buffer_.data();
  for (;;) {
    if (dropping_) {
      const void* nl = std::memchr(b + scan_, '\n', end_ - scan_);
      if (nl != nullptr) {
        dropping_ = false;
        ++lines_;
        begin_ = scan_ = static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1;
        continue;
      }
      begin_ = scan_ = end_;
    } else if (scan_ < end_) {
      const void* nl = memrchr(b + scan_, '\n', end_ - scan_);
      scan_ = end_;
      if (nl != nullptr) {
        const std::size_t stop = static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1;
        Piece piece;
        piece.kind = Kind::kLines;
        piece.text = std::string_view(b + begin_, stop - begin_);
        piece.index = lines_;
        piece.offset = base_ + begin_;
        uint64_t count = 0;
        for (const char *p = piece.text.data(), *e = p + piece.text.size();
             (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(e - p))));
             ++p) {
          ++count;
        }
        piece.count = count;
        lines_ += count;
        begin_ = stop;
        scan_ = end_;
        return piece;
      }
    }
    if (pending_break_) {
      pending_break_ = false;
      if (dropping_) {
        dropping_ = false;
        ++lines_;
      } else if (begin_ < end_) {
        // The line in progress lost its end: hand it out as a line of its own.
        Piece piece;
        piece.kind = Kind::kLines;
        piece.text = std::string_view(b + begin_, end_ - begin_);
        piece.index = lines_;
        piece.offset = base_ + begin_;
        piece.count = 1;
        piece.truncated = true;
        lines_ += 1;
        begin_ = scan_ = end_;
        return piece;
      }
      continue;
    }
    if (finished_) {
      if (dropping_) {
        dropping_ = false;
        ++lines_;
      }
      if (begin_ < end_) {  // the last line, without '\n'
        Piece piece;
        piece.kind = Kind::kLines;
        piece.text = std::string_view(b + begin_, end_ - begin_);
        piece.index = lines_;
        piece.offset = base_ + begin_;
        piece.count = 1;
        lines_ += 1;
        begin_ = scan_ = end_;
        return piece;
      }
      Piece piece;
      piece.kind = Kind::kEnd;
      return piece;
    }
    return CompactOrNeedMore();
  }
}

}  // namespace tw::decode
