// S3Client: the two Amazon S3 calls trailwatch makes, ListObjectsV2 and GetObject, over an
// injected HttpFetch (curl_fetch.h in production, testing/fake_http.h in tests).
//
// Requests follow the S3 API reference and what botocore sends:
//   * addressing: virtual-hosted ("https://bucket.s3.region.amazonaws.com/key"), or path-style
//     ("https://endpoint/bucket/key") when asked for or when the endpoint's host is an IP address
//     or localhost (endpoints.h, UseS3PathStyle);
//   * the key is percent-encoded once, '/' kept (UriEncode(key, true)); the signer signs that
//     path as is, never encoding it a second time nor normalising "a/../b" (S3's SigV4 rules);
//   * the query is built in canonical (sorted, %-encoded, '/' as %2F) form, so the URL on the
//     wire is the canonical query itself;
//   * x-amz-content-sha256 is sent and signed (the SHA-256 of the empty body for GET);
//     X-Amz-Security-Token is sent and signed when the credentials carry a session token;
//   * ListObjectsV2 asks for encoding-type=url and decodes Key, Prefix and CommonPrefixes
//     ('+' is a space, as botocore's unquote_plus reads them), so keys with control characters
//     survive the XML.
// Each call is re-signed and retried as the SDKs' standard mode does (retry.h: throttling, 5xx,
// no response; at most 3 attempts, full-jitter backoff, one retry quota per client).
//
// Errors: kUnavailable when no response came after the retries; otherwise the S3 error as
// "<context>: Code: Message" with the code AwsError::ToError maps (NoSuchKey/NoSuchBucket and
// 404 -> kNotFound, throttling -> kResourceExhausted, 5xx -> kUnavailable, other 4xx such as
// AccessDenied -> kInvalidArgument); e.g. "S3 ListObjectsV2 s3://b/AWSLogs/: AccessDenied:
// Access Denied". kParse when a 200 listing is not the XML S3 returns. The credentials function's
// error is returned as is. No message carries a key or token.
//
// Memory: GetObject returns the whole object; the fetch bounds it (CurlFetchOptions::
// max_body_bytes, kUnsupported beyond), so a caller holds at most one object per call in flight.
//
// Thread-safety: every method may be called from several threads at once, as long as the
// HttpFetch and the credentials function may (both production ones can). The Clock is borrowed
// and must outlive the client.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials/credentials.h"
#include "aws/endpoints.h"
#include "aws/http_fetch.h"
#include "aws/retry.h"
#include "common/clock.h"
#include "common/error.h"

namespace tw::aws {

// Where a client gets its credentials on every request (a CredentialChain's Get() in
// production, so temporary credentials are refreshed).
using CredentialsFn = std::function<Result<Credentials>()>;

struct S3ClientOptions {
  Endpoint endpoint;        // ResolveEndpoint(Service::kS3, region, env)
  bool path_style = false;  // --s3-path-style / `path_style: true`
  // Retries: max_attempts, and the wait/random01 functions; empty functions get the defaults
  // (std::this_thread::sleep_for and a seeded PRNG). The quota is the client's own.
  int max_attempts = kMaxAttempts;
  std::function<void(std::chrono::milliseconds)> wait;
  std::function<double()> random01;
};

struct S3Object {
  std::string key;
  uint64_t size = 0;
  std::string etag;           // as S3 sends it, quotes included
  std::string last_modified;  // ISO 8601, as S3 sends it
};

struct ListObjectsV2Request {
  std::string bucket;
  std::string prefix;              // empty: none
  std::string delimiter;           // empty: none
  std::string continuation_token;  // from the previous page
  std::string start_after;         // empty: none
  int max_keys = 0;                // 0: S3's default (1000)
};

struct ListObjectsV2Page {
  std::vector<S3Object> objects;
  std::vector<std::string> common_prefixes;  // with a delimiter: "AWSLogs/123456789012/" ...
  bool truncated = false;
  std::string next_continuation_token;  // set when truncated
};

class S3Client {
 public:
  S3Client(HttpFetch fetch, CredentialsFn credentials, S3ClientOptions options, const Clock& clock);

  // One page of ListObjectsV2.
  [[nodiscard]] Result<ListObjectsV2Page> ListObjectsV2(const ListObjectsV2Request& request);

  // Every page under `prefix` (following continuation tokens): `on_page` is called with each
  // page in order; returning false from it stops early (Ok). Errors as ListObjectsV2.
  [[nodiscard]] Result<void> ListAll(const ListObjectsV2Request& request,
                                     const std::function<bool(const ListObjectsV2Page&)>& on_page);

  // The CommonPrefixes under `prefix` with `delimiter` ("/"), over every page: the "folders"
  // one level down. Never lists the objects of deeper levels.
  [[nodiscard]] Result<std::vector<std::string>> ListCommonPrefixes(
      std::string_view bucket, std::string_view prefix, std::string_view delimiter = "/");

  // The object's bytes. kNotFound for NoSuchKey/NoSuchBucket.
  [[nodiscard]] Result<std::string> GetObject(std::string_view bucket, std::string_view key);

  const S3ClientOptions& options() const { return options_; }

 private:
  // Builds, signs and sends one request (retried); returns the 2xx response or the mapped error.
  Result<HttpResponse> Send(const std::string& context, std::string_view bucket,
                            std::string_view key, std::string query);

  HttpFetch fetch_;
  CredentialsFn credentials_;
  S3ClientOptions options_;
  const Clock& clock_;
  std::unique_ptr<RetryQuota> quota_;
};

// Builds a canonical query string from (name, value) pairs: each UriEncode()d (unreserved kept,
// '/' as %2F), sorted by name then value, joined "n=v&n=v". Exposed for tests.
std::string BuildCanonicalQuery(std::vector<std::pair<std::string, std::string>> params);

// Decodes an encoding-type=url value: '+' is a space, then %XX escapes.
std::string S3UrlDecode(std::string_view s);

}  // namespace tw::aws
