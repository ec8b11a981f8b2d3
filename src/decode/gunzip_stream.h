// GunzipStream: gzip (RFC 1952) decompressed as it arrives, member after member, in bounded
// memory.
//
// `cat AWSLogs/.../*.json.gz | trailwatch scan -` is a multi-member gzip of several GB; Gunzip
// (gzip.h) needs the whole input and the whole output in memory. This decoder takes compressed
// bytes in any pieces and writes the content into any output space, with zlib's streaming
// inflate (zlib is already linked for Gunzip's salvage; libdeflate has no streaming API). Its
// state is zlib's 32 KiB window plus a few KiB, whatever the input's size or a member's size.
//
// Members: after the end of a member, NUL bytes (tape padding, as gzip(1) ignores them) are
// skipped and the next member starts at the next 1f 8b. Damage (corrupt deflate data, a CRC or
// length mismatch, bytes that are not a gzip member) is reported once as a kCorruption error
// naming the member and the compressed byte offset; the decoder then skips to the next 1f 8b 08
// (the start of a member) and goes on, and `broke()` tells the caller that the content has a gap
// there (the document in progress lost its end). A stream that ends inside a member is reported
// by Finish.
//
// Fast path: libdeflate decodes about twice as fast as zlib but only whole members. At a member
// boundary, InflateMember decodes the member at the start of the bytes given, when all of it is
// there and its content fits the output room; otherwise the caller streams that member with
// Inflate (which also reports damage). Both keep the same member count and offsets.
//
// Ownership and thread-safety: owns its zlib state and libdeflate decompressor; one thread at a
// time. Movable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "common/error.h"

namespace tw::decode {

class GunzipStream {
 public:
  // Errors: kResourceExhausted when zlib cannot allocate its state.
  [[nodiscard]] static Result<GunzipStream> Create();

  GunzipStream(GunzipStream&&) noexcept;
  GunzipStream& operator=(GunzipStream&&) noexcept;
  ~GunzipStream();

  struct Step {
    std::size_t consumed = 0;    // bytes of `in` used (the caller drops them)
    std::size_t written = 0;     // bytes written to `out`
    std::optional<Error> error;  // damage found (reported once; decoding goes on after it)
    bool broke = false;          // the content has a gap after the bytes written
  };

  // Decompresses from `in` into `out` until one of them is used up, a member ends, or damage is
  // found. With
  // fewer than 2 bytes of `in` between members it may consume nothing: give it more (or Finish).
  Step Inflate(std::string_view in, std::span<char> out);
  enum class Whole : uint8_t {
    kDone,        // the member was decoded: step.consumed, step.written
    kNoRoom,      // its content does not fit in `out` (nothing to use in out)
    kIncomplete,  // it does not end within `in`, or it is damaged: stream it with Inflate
    kNotHere,     // not at a member boundary, or `in` does not start with 1f 8b: use Inflate
  };
  // At a member boundary, decodes the whole member starting at in[0] into `out` (libdeflate).
  Whole InflateMember(std::string_view in, std::span<char> out, Step& step);
  // True between members (not inside one, not skipping damage).
  bool at_boundary() const { return !in_member_ && !resync_; }

  // The end of the input: an error (kCorruption) when it ended inside a member, or when the
  // input held no gzip member at all. `rest`: bytes the caller still holds unconsumed.
  [[nodiscard]] Result<void> Finish(std::string_view rest);

  // Compressed bytes consumed so far (the offset of the next input byte).
  uint64_t in_offset() const { return in_offset_; }
  // Members begun so far.
  uint64_t members() const { return members_; }

 private:
  struct State;
  explicit GunzipStream(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
  uint64_t in_offset_ = 0;
  uint64_t members_ = 0;
  uint64_t member_start_ = 0;
  bool in_member_ = false;
  bool resync_ = false;  // skipping damaged bytes up to the next member start
};

}  // namespace tw::decode
