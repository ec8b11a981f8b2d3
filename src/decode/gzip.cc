#include "decode/gzip.h"

#include <fmt/format.h>
#include <libdeflate.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <optional>

namespace tw::decode {
namespace {

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING,
              "decoded buffers must be parseable in place by simdjson");

// The smallest output buffer tried for a member.
constexpr std::size_t kMinGuess = 4096;

// DEFLATE cannot expand more than about 1032:1 (a 258-byte match costs at least 2 bits), so a
// member of n compressed bytes decodes to at most n * 1032 bytes. A member that still wants more
// room is corrupt; without this bound a damaged member would grow the buffer up to max_bytes.
constexpr std::size_t kMaxDeflateRatio = 1032;

// A gzip member is at least a 10-byte header, an empty deflate block and an 8-byte trailer.
constexpr std::size_t kMinMemberSize = 18;

std::uint32_t ReadLe32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint32_t>(u[0]) | static_cast<std::uint32_t>(u[1]) << 8 |
         static_cast<std::uint32_t>(u[2]) << 16 | static_cast<std::uint32_t>(u[3]) << 24;
}

void EnsurePadding(std::string& out) {
  if (out.capacity() < out.size() + kJsonPadding) out.reserve(out.size() + kJsonPadding);
}

bool AllNul(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '\0'; });
}

}  // namespace

bool LooksGzip(std::string_view in) {
  return in.size() >= 2 && static_cast<unsigned char>(in[0]) == 0x1f &&
         static_cast<unsigned char>(in[1]) == 0x8b;
}

void Gunzipper::Deleter::operator()(libdeflate_decompressor* d) const {
  libdeflate_free_decompressor(d);
}

Result<Gunzipper> Gunzipper::Create() {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  if (d == nullptr) {
    return Fail(ErrorCode::kResourceExhausted, "gzip: cannot allocate a libdeflate decompressor");
  }
  return Gunzipper(d);
}

namespace {

// The two output buffers the decoder writes to, seen alike: std::string (resize zero-fills the
// bytes it adds) and ByteBuffer (it does not).
void SetSize(std::string& out, std::size_t n) { out.resize(n); }
void SetSize(ByteBuffer& out, std::size_t n) { out.Resize(n); }
char* DataOf(std::string& out) { return out.data(); }
char* DataOf(ByteBuffer& out) { return out.data(); }

// Makes out.size() at least `n`, keeping the bytes it holds.
template <typename Buffer>
void GrowTo(Buffer& out, std::size_t n) {
  if (out.size() < n) SetSize(out, n);
}

// Makes the buffer hold `produced` decoded bytes with kJsonPadding readable after them. A
// std::string keeps its size (the largest output so far plus padding: shrinking and growing
// it again would zero-fill again); a ByteBuffer is cut to the decoded bytes.
void Finish(std::string& out, std::size_t produced) { GrowTo(out, produced + kJsonPadding); }
void Finish(ByteBuffer& out, std::size_t produced) { out.Resize(produced); }

// Before decoding: a ByteBuffer forgets the previous contents, so that growing it copies none of
// them; a std::string keeps its size (see Finish).
void Begin(std::string& out) { (void)out; }
void Begin(ByteBuffer& out) { out.Clear(); }

}  // namespace

// Inflates as much of the gzip member at the start of `member` as decodes cleanly, appending
// it to out at `at`, at most `room` bytes. Returns the number of bytes appended.
template <typename Buffer>
static std::size_t SalvagePrefix(std::string_view member, Buffer& out, std::size_t at,
                                 std::size_t room) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return 0;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(member.data()));
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(member.size(), UINT32_MAX));
  std::size_t produced = 0;
  constexpr std::size_t kChunk = 1 << 20;
  while (produced < room) {
    const std::size_t chunk = std::min(kChunk, room - produced);
    SetSize(out, at + produced + chunk);
    zs.next_out = reinterpret_cast<Bytef*>(DataOf(out) + at + produced);
    zs.avail_out = static_cast<uInt>(chunk);
    const int r = inflate(&zs, Z_NO_FLUSH);
    produced += chunk - zs.avail_out;
    if (r != Z_OK) break;  // Z_STREAM_END, or the damage (Z_DATA_ERROR / Z_BUF_ERROR)
  }
  inflateEnd(&zs);
  SetSize(out, at + produced);
  return produced;
}

// Decompress's core, for either output buffer. `out` is not cleared nor shrunk while decoding:
// bytes it already holds are overwritten, and only growth beyond its current size costs a zero
// fill (std::string::resize; a ByteBuffer grows without one). A reused std::string is filled
// once, to the largest output it has held.
template <typename Buffer>
static Result<void> DecompressCore(libdeflate_decompressor* decompressor, std::string_view in,
                                   Buffer& out, std::size_t& size, std::size_t max_bytes) {
  size = 0;
  Begin(out);
  if (in.empty()) {
    Finish(out, 0);
    return Fail(ErrorCode::kCorruption, "gzip: empty input (0 bytes), expected a gzip member");
  }

  // ISIZE of the last member: exact for the usual single-member file (below 4 GiB).
  std::size_t isize_hint = 0;
  if (in.size() >= kMinMemberSize) isize_hint = ReadLe32(in.data() + in.size() - 4);

  std::size_t pos = 0;
  std::size_t produced = 0;
  int members = 0;
  while (pos < in.size()) {
    const std::string_view rest = in.substr(pos);
    if (members > 0 && AllNul(rest)) break;
    // A lone 1f at the end is the start of a member cut short: report it as truncation below.
    const bool cut_magic = rest.size() == 1 && static_cast<unsigned char>(rest[0]) == 0x1f;
    if (!LooksGzip(rest) && !cut_magic) {
      size = produced;
      Finish(out, produced);
      if (members == 0) {
        return Fail(ErrorCode::kCorruption, "gzip: not gzip data (no 1f 8b magic at offset 0)");
      }
      return Fail(ErrorCode::kCorruption,
                  fmt::format("gzip: unexpected bytes at input offset {} after member {} (not a "
                              "gzip member); {} bytes decoded from {} complete member(s) before it",
                              pos, members, produced, members));
    }

    const std::size_t room = max_bytes - produced;
    const std::size_t ratio_limit = rest.size() * kMaxDeflateRatio + kMinGuess;
    std::size_t guess =
        (isize_hint > 0 && isize_hint <= ratio_limit) ? isize_hint : rest.size() * 4;
    guess = std::min(std::max(guess, kMinGuess), std::min(room, ratio_limit));

    for (;;) {
      // The extra kJsonPadding keeps the final capacity large enough for in-place parsing.
      GrowTo(out, produced + guess + kJsonPadding);
      std::size_t in_used = 0;
      std::size_t out_used = 0;
      const libdeflate_result r =
          libdeflate_gzip_decompress_ex(decompressor, rest.data(), rest.size(),
                                        DataOf(out) + produced, guess, &in_used, &out_used);
      if (r == LIBDEFLATE_SUCCESS) {
        produced += out_used;
        pos += in_used;
        ++members;
        break;
      }
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE && guess < std::min(room, ratio_limit)) {
        guess = std::min(guess * 2, std::min(room, ratio_limit));
        continue;
      }
      size = produced;
      Finish(out, produced);
      if (r == LIBDEFLATE_INSUFFICIENT_SPACE && guess >= room && room < ratio_limit) {
        return Fail(ErrorCode::kResourceExhausted,
                    fmt::format("gzip: output exceeds the limit of {} bytes in member {} at input "
                                "offset {}; {} bytes decoded before it",
                                max_bytes, members + 1, pos, produced));
      }
      // libdeflate decodes whole members only. Recover what the damaged member holds before
      // the damage with zlib's streaming inflate, so the records in it are not lost.
      const std::size_t salvaged = SalvagePrefix(rest, out, produced, room);
      produced += salvaged;
      size = produced;
      Finish(out, produced);
      return Fail(ErrorCode::kCorruption,
                  fmt::format("gzip: member {} at input offset {} is truncated or corrupt; {} "
                              "bytes decoded before the damage ({} from {} complete member(s), {} "
                              "from the damaged one)",
                              members + 1, pos, produced, produced - salvaged, members, salvaged));
    }
  }
  size = produced;
  Finish(out, produced);
  return Ok();
}

Result<void> Gunzipper::DecompressInto(std::string_view in, std::string& out, std::size_t& size,
                                       std::size_t max_bytes) {
  TW_CHECK(decompressor_ != nullptr);  // not a moved-from Gunzipper
  return DecompressCore(decompressor_.get(), in, out, size, max_bytes);
}

Result<void> Gunzipper::DecompressInto(std::string_view in, ByteBuffer& out,
                                       std::size_t max_bytes) {
  TW_CHECK(decompressor_ != nullptr);  // not a moved-from Gunzipper
  std::size_t size = 0;
  return DecompressCore(decompressor_.get(), in, out, size, max_bytes);
}

Result<void> Gunzipper::Decompress(std::string_view in, std::string& out, std::size_t max_bytes) {
  std::size_t size = 0;
  Result<void> result = DecompressInto(in, out, size, max_bytes);
  out.resize(size);
  EnsurePadding(out);
  return result;
}

// The calling thread's Gunzipper, created on first use.
static Result<Gunzipper*> ThreadGunzipper() {
  thread_local std::optional<Gunzipper> gunzipper;
  if (!gunzipper.has_value()) {
    Result<Gunzipper> created = Gunzipper::Create();
    if (!created) return tl::unexpected(created.error());
    gunzipper.emplace(std::move(*created));
  }
  return &*gunzipper;
}

Result<void> Gunzip(std::string_view in, std::string& out, std::size_t max_bytes) {
  Result<Gunzipper*> gunzipper = ThreadGunzipper();
  if (!gunzipper) return tl::unexpected(gunzipper.error());
  return (*gunzipper)->Decompress(in, out, max_bytes);
}

Result<void> GunzipInto(std::string_view in, std::string& out, std::size_t& size,
                        std::size_t max_bytes) {
  Result<Gunzipper*> gunzipper = ThreadGunzipper();
  if (!gunzipper) return tl::unexpected(gunzipper.error());
  return (*gunzipper)->DecompressInto(in, out, size, max_bytes);
}

Result<void> GunzipInto(std::string_view in, ByteBuffer& out, std::size_t max_bytes) {
  Result<Gunzipper*> gunzipper = ThreadGunzipper();
  if (!gunzipper) return tl::unexpected(gunzipper.error());
  return (*gunzipper)->DecompressInto(in, out, max_bytes);
}

}  // namespace tw::decode
