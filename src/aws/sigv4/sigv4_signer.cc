#include "aws/sigv4/sigv4_signer.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <utility>
#include <vector>

#include "aws/url.h"

namespace tw::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 0xF];
  }
  return out;
}

// SHA-256 fetched once: under OpenSSL 3, passing EVP_sha256() to each call makes it look the
// algorithm up again every time, which was most of a signature's cost.
const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  TW_CHECK(md != nullptr);
  return md;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Trims and folds every run of whitespace (including obsolete line folding) into one space.
std::string FoldValue(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (IsSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

// Headers botocore never signs (botocore 1.43 auth.py SIGNED_HEADERS_BLACKLIST: hop-by-hop
// headers a proxy may change, and the user agent), plus the Authorization header itself.
bool IsUnsignedHeader(std::string_view lower_name) {
  static constexpr std::string_view kUnsigned[] = {"authorization",
                                                   "connection",
                                                   "expect",
                                                   "keep-alive",
                                                   "proxy-authenticate",
                                                   "proxy-authorization",
                                                   "te",
                                                   "trailer",
                                                   "transfer-encoding",
                                                   "upgrade",
                                                   "user-agent",
                                                   "x-amzn-trace-id"};
  return std::find(std::begin(kUnsigned), std::end(kUnsigned), lower_name) != std::end(kUnsigned);
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" per header
  std::string signed_names;  // "a;b;c"
};

CanonicalHeaders Canonicalize(const HttpHeaders& headers) {
  std::vector<std::pair<std::string, std::string>> merged;  // lower name -> values joined by ','
  for (const auto& [name, value] : headers) {
    std::string lower = Lower(name);
    if (IsUnsignedHeader(lower)) continue;
    std::string folded = FoldValue(value);
    auto it =
        std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.first == lower; });
    if (it == merged.end()) {
      merged.emplace_back(std::move(lower), std::move(folded));
    } else {
      it->second += "," + folded;
    }
  }
  std::sort(merged.begin(), merged.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names += ";";
    out.signed_names += name;
  }
  return out;
}

std::string Scope(std::string_view date, const SigningParams& params) {
  return fmt::format("{}/{}/{}/aws4_request", date, params.region, params.service);
}

struct Computed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

Computed Compute(std::string_view method, const UrlParts& url, std::string_view canonical_query,
                 const CanonicalHeaders& headers, std::string_view payload_hash,
                 const Credentials& credentials, const SigningParams& params) {
  Computed c;
  std::string upper_method(method);
  for (char& ch : upper_method)
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  c.canonical_request =
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}", upper_method,
                  CanonicalUri(url.path, params.double_encode_path, params.normalize_path),
                  canonical_query, headers.block, headers.signed_names, payload_hash);
  std::string amz_date = AmzDate(params.time);
  std::string date = amz_date.substr(0, 8);
  c.string_to_sign = fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amz_date, Scope(date, params),
                                 Sha256Hex(c.canonical_request));
  auto key = DeriveSigningKey(credentials.secret_access_key, date, params.region, params.service);
  auto mac = HmacSha256(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()),
                        c.string_to_sign);
  c.signature = Hex(mac.data(), mac.size());
  return c;
}

Result<void> CheckCredentials(const Credentials& credentials) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "cannot sign: credentials lack a key");
  }
  return Ok();
}

std::string PayloadHash(const HttpRequest& request, const SigningParams& params) {
  if (params.unsigned_payload) return std::string(kUnsignedPayload);
  if (const std::string* given = FindHeader(request.headers, "x-amz-content-sha256")) {
    return *given;
  }
  return Sha256Hex(request.body);
}

}  // namespace

SigningParams SigningParams::For(std::string_view service, std::string_view region,
                                 Clock::WallTime time) {
  SigningParams p;
  p.service = std::string(service);
  p.region = std::string(region);
  p.time = time;
  if (service == "s3") {
    p.double_encode_path = false;
    p.normalize_path = false;
    p.add_content_sha256 = true;
  }
  return p;
}

std::string AmzDate(Clock::WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, Sha256Md(), nullptr);
  return Hex(digest, len);
}

// HMAC (RFC 2104) over the cached SHA-256 rather than OpenSSL 3's one-shot HMAC(), which looks
// up the MAC and the digest and allocates a context on every call (a signature makes five).
std::array<uint8_t, 32> HmacSha256(std::string_view key, std::string_view data) {
  constexpr size_t kBlock = 64;
  unsigned char k0[kBlock] = {};
  unsigned int len = 0;
  if (key.size() > kBlock) {
    EVP_Digest(key.data(), key.size(), k0, &len, Sha256Md(), nullptr);
  } else {
    std::copy(key.begin(), key.end(), k0);
  }
  unsigned char ipad[kBlock], opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<unsigned char>(k0[i] ^ 0x36);
    opad[i] = static_cast<unsigned char>(k0[i] ^ 0x5c);
  }
  std::array<uint8_t, 32> inner{};
  std::array<uint8_t, 32> out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  TW_CHECK(ctx != nullptr);
  bool ok = EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, ipad, kBlock) == 1 &&
            EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, inner.data(), &len) == 1 &&
            EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, opad, kBlock) == 1 &&
            EVP_DigestUpdate(ctx, inner.data(), inner.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, out.data(), &len) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_cleanse(k0, sizeof k0);
  OPENSSL_cleanse(ipad, sizeof ipad);
  OPENSSL_cleanse(opad, sizeof opad);
  TW_CHECK(ok && len == out.size());
  return out;
}

std::array<uint8_t, 32> DeriveSigningKey(std::string_view secret, std::string_view yyyymmdd,
                                         std::string_view region, std::string_view service) {
  auto view = [](const std::array<uint8_t, 32>& a) {
    return std::string_view(reinterpret_cast<const char*>(a.data()), a.size());
  };
  std::string seed = "AWS4" + std::string(secret);
  auto k_date = HmacSha256(seed, yyyymmdd);
  auto k_region = HmacSha256(view(k_date), region);
  auto k_service = HmacSha256(view(k_region), service);
  return HmacSha256(view(k_service), "aws4_request");
}

static bool EndsWithDotSegment(std::string_view path) {
  return path == "." || path == ".." || path.ends_with("/.") || path.ends_with("/..");
}

std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view seg =
        path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!seg.empty() && seg != ".") {
      out.push_back(seg);
    }
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  std::string result;
  for (std::string_view seg : out) {
    result += "/";
    result += seg;
  }
  // A path that ends in '/' (or in a dot segment, which names a directory) keeps its slash.
  bool trailing = !path.empty() && (path.back() == '/' || EndsWithDotSegment(path));
  if (result.empty() || trailing) result += "/";
  return result;
}

std::string CanonicalUri(std::string_view path, bool double_encode, bool normalize) {
  std::string p = normalize ? NormalizePath(path) : std::string(path);
  if (p.empty()) p = "/";
  if (double_encode) return UriEncode(p, /*keep_slash=*/true);
  // S3: the path is already encoded once on the wire; only bytes that cannot appear there
  // (a caller's raw space or UTF-8) are encoded, so an encoded key is not encoded again.
  std::string out;
  for (char c : p) {
    if (c == '%') {
      out.push_back(c);
    } else {
      out += UriEncode(std::string_view(&c, 1), /*keep_slash=*/true);
    }
  }
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view item =
        query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string_view name = item.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
      params.emplace_back(UriEncode(PercentDecode(name)), UriEncode(PercentDecode(value)));
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += "&";
    out += name + "=" + value;
  }
  return out;
}

Result<SignatureParts> SignRequest(HttpRequest& request, const Credentials& credentials,
                                   const SigningParams& params) {
  if (auto ok = CheckCredentials(credentials); !ok) return tl::unexpected(ok.error());
  auto url = ParseUrl(request.url);
  if (!url) return tl::unexpected(url.error());
  if (!FindHeader(request.headers, "host")) SetHeader(request.headers, "Host", url->HostHeader());
  SetHeader(request.headers, "X-Amz-Date", AmzDate(params.time));
  bool has_token = !credentials.session_token.empty();
  // A request signed again (a retry, refreshed credentials) must not keep an old token.
  RemoveHeader(request.headers, "X-Amz-Security-Token");
  if (has_token && !params.omit_session_token) {
    SetHeader(request.headers, "X-Amz-Security-Token", credentials.session_token);
  }
  std::string payload_hash = PayloadHash(request, params);
  if (params.add_content_sha256 && !FindHeader(request.headers, "x-amz-content-sha256")) {
    SetHeader(request.headers, "x-amz-content-sha256", payload_hash);
  }
  CanonicalHeaders headers = Canonicalize(request.headers);
  Computed c = Compute(request.method, *url, CanonicalQuery(url->query), headers, payload_hash,
                       credentials, params);
  SignatureParts parts;
  parts.authorization = fmt::format(
      "{} Credential={}/{}, SignedHeaders={}, Signature={}", kAlgorithm, credentials.access_key_id,
      Scope(AmzDate(params.time).substr(0, 8), params), headers.signed_names, c.signature);
  SetHeader(request.headers, "Authorization", parts.authorization);
  if (has_token && params.omit_session_token) {
    SetHeader(request.headers, "X-Amz-Security-Token", credentials.session_token);
  }
  parts.canonical_request = std::move(c.canonical_request);
  parts.string_to_sign = std::move(c.string_to_sign);
  parts.signature = std::move(c.signature);
  return parts;
}

Result<SignatureParts> PresignRequest(HttpRequest& request, const Credentials& credentials,
                                      const SigningParams& params) {
  if (auto ok = CheckCredentials(credentials); !ok) return tl::unexpected(ok.error());
  auto url = ParseUrl(request.url);
  if (!url) return tl::unexpected(url.error());
  if (!FindHeader(request.headers, "host")) SetHeader(request.headers, "Host", url->HostHeader());
  CanonicalHeaders headers = Canonicalize(request.headers);
  std::string amz_date = AmzDate(params.time);
  bool has_token = !credentials.session_token.empty();
  std::string query = url->query;
  auto append = [&query](std::string_view name, std::string_view value) {
    if (!query.empty()) query += "&";
    query += UriEncode(name) + "=" + UriEncode(value);
  };
  append("X-Amz-Algorithm", kAlgorithm);
  append("X-Amz-Credential",
         credentials.access_key_id + "/" + Scope(amz_date.substr(0, 8), params));
  append("X-Amz-Date", amz_date);
  append("X-Amz-Expires", std::to_string(params.presign_expires.count()));
  append("X-Amz-SignedHeaders", headers.signed_names);
  if (has_token && !params.omit_session_token) {
    append("X-Amz-Security-Token", credentials.session_token);
  }
  std::string payload_hash =
      params.unsigned_payload ? std::string(kUnsignedPayload) : Sha256Hex(request.body);
  Computed c = Compute(request.method, *url, CanonicalQuery(query), headers, payload_hash,
                       credentials, params);
  append("X-Amz-Signature", c.signature);
  if (has_token && params.omit_session_token) {
    append("X-Amz-Security-Token", credentials.session_token);
  }
  request.url = url->Origin() + url->path + "?" + query;
  SignatureParts parts;
  parts.canonical_request = std::move(c.canonical_request);
  parts.string_to_sign = std::move(c.string_to_sign);
  parts.signature = std::move(c.signature);
  return parts;
}

}  // namespace tw::aws
