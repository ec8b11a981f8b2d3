// SigV4: AWS Signature Version 4 for requests signed in the Authorization header or presigned
// in the query string.
//
// The signer is a set of pure functions over an HttpRequest (http_fetch.h) whose URL is already
// on-the-wire form. SignRequest() adds X-Amz-Date, Host (when absent), X-Amz-Security-Token,
// x-amz-content-sha256 (S3) and Authorization, and returns every intermediate string so that tests
// can compare them with the AWS test suite (tests/data/vectors/sigv4) and with botocore.
//
// What differs between services is in SigningParams; SigningParams::For(service, ...) sets it
// the way the SDKs do:
//   * the path: every service but S3 normalises it (RFC 3986 dot segments, duplicate slashes)
//     and URI-encodes the on-the-wire (already encoded) path once more ("double encoding"); S3
//     signs the path exactly as sent (keys are encoded once, by UriEncode(key, true)) and never
//     normalises it ("a/../b" is a real key);
//   * the payload: S3 sends x-amz-content-sha256 (the body's SHA-256, or UNSIGNED-PAYLOAD on
//     request) and signs it; other services sign the body's hash without the header;
//   * session tokens: X-Amz-Security-Token is signed, unless `omit_session_token` (the token is
//     then added after signing, as some services such as IoT require).
//
// Reference: "Create a signed AWS API request", AWS IAM User Guide
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
//
// Thread-safety: pure functions; the request passed in is modified in place.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.h"
#include "aws/http_fetch.h"
#include "common/clock.h"
#include "common/error.h"

namespace tw::aws {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigningParams {
  std::string region;    // "us-east-1"
  std::string service;   // the signing name: "s3", "sqs", "sts", "dynamodb", "secretsmanager"
  Clock::WallTime time;  // the request time (X-Amz-Date), from a tw::Clock
  bool double_encode_path = true;   // false for S3
  bool normalize_path = true;       // false for S3
  bool add_content_sha256 = false;  // send and sign x-amz-content-sha256 (S3)
  bool unsigned_payload = false;    // sign "UNSIGNED-PAYLOAD" instead of the body hash (S3)
  bool omit_session_token = false;  // add X-Amz-Security-Token after signing, unsigned
  std::chrono::seconds presign_expires{3600};  // X-Amz-Expires, PresignRequest only

  // The SDKs' settings for `service`: S3 gets double_encode_path = normalize_path = false and
  // add_content_sha256 = true; every other service the defaults above.
  static SigningParams For(std::string_view service, std::string_view region, Clock::WallTime time);
};

// The intermediate and final strings of one signature (no secret among them).
struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // lower-case hex
  std::string authorization;  // the Authorization header value; empty for a presigned URL
};

// Signs `request` with the Authorization header. Adds (replacing any previous value)
// X-Amz-Date, Host if absent, X-Amz-Security-Token if the credentials carry a token (an old one
// is removed when they do not, so a request can be signed again),
// x-amz-content-sha256 if `add_content_sha256`, and Authorization. Every header present is
// signed except Authorization and those botocore leaves unsigned (hop-by-hop headers such as
// connection, expect, transfer-encoding, and user-agent, x-amzn-trace-id). An x-amz-content-sha256
// header the caller set (e.g. for streaming) is signed as the payload hash. kInvalidArgument when
// the URL does not parse or the credentials lack a key.
[[nodiscard]] Result<SignatureParts> SignRequest(HttpRequest& request,
                                                 const Credentials& credentials,
                                                 const SigningParams& params);

// Presigns `request`: appends X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
// -Security-Token and -Signature to the URL's query. The headers present (and Host) are signed.
// The payload hash is UNSIGNED-PAYLOAD when `unsigned_payload`, else the body's SHA-256.
[[nodiscard]] Result<SignatureParts> PresignRequest(HttpRequest& request,
                                                    const Credentials& credentials,
                                                    const SigningParams& params);

// Building blocks, exposed for tests.

// The canonical URI of on-the-wire `path` (see the header comment).
std::string CanonicalUri(std::string_view path, bool double_encode, bool normalize);
// The canonical query string of on-the-wire `query`: each name and value percent-decoded, then
// UriEncode()d, sorted by name then value, "name=value" joined with '&' (a bare name gets "=").
std::string CanonicalQuery(std::string_view query);
// Removes dot segments (RFC 3986 5.2.4) and collapses runs of '/'; keeps a trailing '/'.
std::string NormalizePath(std::string_view path);
// "20150830T123600Z".
std::string AmzDate(Clock::WallTime t);

// Lower-case hex of SHA-256(`data`).
std::string Sha256Hex(std::string_view data);
// HMAC-SHA256(`key`, `data`), raw 32 bytes.
std::array<uint8_t, 32> HmacSha256(std::string_view key, std::string_view data);
// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
std::array<uint8_t, 32> DeriveSigningKey(std::string_view secret, std::string_view yyyymmdd,
                                         std::string_view region, std::string_view service);

}  // namespace tw::aws
