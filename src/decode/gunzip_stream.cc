#include "decode/gunzip_stream.h"

#include <fmt/format.h>
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace tw::decode {

struct GunzipStream::State {
  z_stream zs{};
  bool ready = false;
  libdeflate_decompressor* fast = nullptr;
  ~State() {
    if (ready) inflateEnd(&zs);
    if (fast != nullptr) libdeflate_free_decompressor(fast);
  }
};

Result<GunzipStream> GunzipStream::Create() {
  auto state = std::make_unique<State>();
  if (inflateInit2(&state->zs, 16 + MAX_WBITS) != Z_OK) {
    return Fail(ErrorCode::kResourceExhausted, "gzip: cannot allocate the inflate state");
  }
  state->ready = true;
  state->fast = libdeflate_alloc_decompressor();
  if (state->fast == nullptr) {
    return Fail(ErrorCode::kResourceExhausted, "gzip: cannot allocate the decompressor");
  }
  return GunzipStream(std::move(state));
}

GunzipStream::GunzipStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
GunzipStream::GunzipStream(GunzipStream&&) noexcept = default;
GunzipStream& GunzipStream::operator=(GunzipStream&&) noexcept = default;
GunzipStream::~GunzipStream() = default;

GunzipStream::Step GunzipStream::Inflate(std::string_view in, std::span<char> out) {
  Step step;
  std::size_t i = 0;
  std::size_t w = 0;
  z_stream& zs = state_->zs;
  while (i < in.size() && w < out.size()) {
    if (!in_member_) {
      if (resync_) {
        // The next member starts at 1f 8b 08 (magic, deflate); keep a possible partial one.
        const std::string_view rest = in.substr(i);
        const std::size_t at = rest.find("\x1f\x8b\x08");
        if (at == std::string_view::npos) {
          i = std::max(i, in.size() - std::min<std::size_t>(in.size(), 2));
          break;
        }
        i += at;
        resync_ = false;
      }
      if (members_ > 0) {
        while (i < in.size() && in[i] == '\0') ++i;  // padding after a member, as gzip(1)
      }
      if (in.size() - i < 2) break;  // need more to see the next member's magic
      if (static_cast<unsigned char>(in[i]) != 0x1f ||
          static_cast<unsigned char>(in[i + 1]) != 0x8b) {
        step.error = Error{
            ErrorCode::kCorruption,
            members_ == 0
                ? fmt::format("gzip: the input does not start with a gzip member")
                : fmt::format("gzip: the bytes after member {} (at compressed byte {}) are not a "
                              "gzip member; skipped to the next member",
                              members_, in_offset_ + i)};
        step.broke = true;
        resync_ = true;
        ++i;
        break;
      }
      if (inflateReset(&zs) != Z_OK) {
        step.error = Error{ErrorCode::kInternal, "gzip: inflateReset failed"};
        break;
      }
      in_member_ = true;
      member_start_ = in_offset_ + i;
      ++members_;
    }
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + i));
    zs.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size() - i, 1u << 30));
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + w);
    zs.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - w, 1u << 30));
    const uInt avail_in = zs.avail_in;
    const uInt avail_out = zs.avail_out;
    const int r = inflate(&zs, Z_NO_FLUSH);
    i += avail_in - zs.avail_in;
    w += avail_out - zs.avail_out;
    if (r == Z_STREAM_END) {
      in_member_ = false;
      break;  // at a member boundary: the caller may take the next member whole (InflateMember)
    }
    if (r == Z_OK) continue;
    if (r == Z_BUF_ERROR) break;  // no progress possible now
    step.error = Error{
        ErrorCode::kCorruption,
        fmt::format("gzip: member {} (from compressed byte {}) is damaged before compressed byte "
                    "{} ({}); skipped to the next member",
                    members_, member_start_, in_offset_ + i, zs.msg ? zs.msg : "inflate failed")};
    step.broke = true;
    in_member_ = false;
    resync_ = true;
    if (in_offset_ + i == member_start_) ++i;  // never find the same member start again
    break;
  }
  step.consumed = i;
  step.written = w;
  in_offset_ += i;
  return step;
}

GunzipStream::Whole GunzipStream::InflateMember(std::string_view in, std::span<char> out,
                                                Step& step) {
  step = Step{};
  if (!at_boundary() || in.size() < 2 || static_cast<unsigned char>(in[0]) != 0x1f ||
      static_cast<unsigned char>(in[1]) != 0x8b) {
    return Whole::kNotHere;
  }
  std::size_t in_used = 0;
  std::size_t out_used = 0;
  const libdeflate_result r = libdeflate_gzip_decompress_ex(
      state_->fast, in.data(), in.size(), out.data(), out.size(), &in_used, &out_used);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) return Whole::kNoRoom;
  if (r != LIBDEFLATE_SUCCESS) return Whole::kIncomplete;
  step.consumed = in_used;
  step.written = out_used;
  member_start_ = in_offset_;
  ++members_;
  in_offset_ += in_used;
  return Whole::kDone;
}

Result<void> GunzipStream::Finish(std::string_view rest) {
  if (in_member_) {
    return Fail(ErrorCode::kCorruption,
                fmt::format("gzip: the input ends inside member {} (from compressed byte {}): "
                            "truncated",
                            members_, member_start_));
  }
  if (resync_) return Ok();  // the damage was reported
  if (members_ == 0) {
    return Fail(ErrorCode::kCorruption, "gzip: the input holds no gzip member");
  }
  if (rest.find_first_not_of('\0') != std::string_view::npos) {
    return Fail(ErrorCode::kCorruption,
                fmt::format("gzip: {} bytes after member {} (at compressed byte {}) are not a "
                            "gzip member",
                            rest.size(), members_, in_offset_));
  }
  return Ok();
}

}  // namespace tw::decode
