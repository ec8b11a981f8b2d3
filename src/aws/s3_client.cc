#include "aws/s3_client.h"

#include <algorithm>
#include <mutex>
#include <pugixml.hpp>
#include <random>
#include <thread>

#include "aws/aws_error.h"
#include "aws/sigv4/sigv4_signer.h"
#include "aws/url.h"

namespace tw::aws {
namespace {

std::string S3Uri(std::string_view bucket, std::string_view key) {
  return "s3://" + std::string(bucket) + "/" + std::string(key);
}

}  // namespace

std::string BuildCanonicalQuery(std::vector<std::pair<std::string, std::string>> params) {
  for (auto& [name, value] : params) {
    name = UriEncode(name);
    value = UriEncode(value);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string S3UrlDecode(std::string_view s) {
  std::string plus_as_space(s);
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  return PercentDecode(plus_as_space);
}

S3Client::S3Client(HttpFetch fetch, CredentialsFn credentials, S3ClientOptions options,
                   const Clock& clock)
    : fetch_(std::move(fetch)),
      credentials_(std::move(credentials)),
      options_(std::move(options)),
      clock_(clock),
      quota_(std::make_unique<RetryQuota>()) {
  if (!options_.wait) {
    options_.wait = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  if (!options_.random01) {
    auto state = std::make_shared<std::pair<std::mutex, std::mt19937_64>>();
    state->second.seed(std::random_device{}());
    options_.random01 = [state] {
      std::lock_guard lock(state->first);
      return std::uniform_real_distribution<double>(0.0, 1.0)(state->second);
    };
  }
}

Result<HttpResponse> S3Client::Send(const std::string& context, std::string_view bucket,
                                    std::string_view key, std::string query) {
  auto url = S3ObjectUrl(options_.endpoint, bucket, key, options_.path_style, query);
  if (!url) return Fail(url.error().code, context + ": " + url.error().message);
  std::optional<Error> credential_error;
  auto attempt = [&]() -> Result<HttpResponse> {
    auto creds = credentials_();
    if (!creds) {
      credential_error = creds.error();
      // Not retryable: the chain has already tried what it can.
      return Fail(ErrorCode::kInvalidArgument, creds.error().message);
    }
    HttpRequest request;
    request.method = "GET";
    request.url = *url;
    auto signed_parts = SignRequest(
        request, *creds, SigningParams::For("s3", options_.endpoint.signing_region, clock_.Now()));
    if (!signed_parts) return Fail(ErrorCode::kInvalidArgument, signed_parts.error().message);
    return fetch_(request);
  };
  RetryOptions retry;
  retry.max_attempts = options_.max_attempts;
  retry.quota = quota_.get();
  retry.wait = options_.wait;
  retry.random01 = options_.random01;
  auto response = RunWithRetries(attempt, retry);
  if (credential_error) return tl::unexpected(*credential_error);
  if (!response) return Fail(response.error().code, context + ": " + response.error().message);
  if (response->status >= 300) return tl::unexpected(ParseAwsError(*response).ToError(context));
  return response;
}

Result<ListObjectsV2Page> S3Client::ListObjectsV2(const ListObjectsV2Request& request) {
  std::vector<std::pair<std::string, std::string>> params = {{"list-type", "2"},
                                                             {"encoding-type", "url"}};
  if (!request.prefix.empty()) params.emplace_back("prefix", request.prefix);
  if (!request.delimiter.empty()) params.emplace_back("delimiter", request.delimiter);
  if (!request.continuation_token.empty()) {
    params.emplace_back("continuation-token", request.continuation_token);
  }
  if (!request.start_after.empty()) params.emplace_back("start-after", request.start_after);
  if (request.max_keys > 0) params.emplace_back("max-keys", std::to_string(request.max_keys));
  const std::string context = "S3 ListObjectsV2 " + S3Uri(request.bucket, request.prefix);
  auto response = Send(context, request.bucket, "", BuildCanonicalQuery(std::move(params)));
  if (!response) return tl::unexpected(response.error());

  pugi::xml_document doc;
  if (!doc.load_buffer(response->body.data(), response->body.size())) {
    return Fail(ErrorCode::kParse, context + ": response is not XML");
  }
  pugi::xml_node root = doc.child("ListBucketResult");
  if (!root) return Fail(ErrorCode::kParse, context + ": response has no ListBucketResult");
  const bool url_encoded = std::string_view(root.child_value("EncodingType")) == "url";
  auto decode = [&](const char* s) { return url_encoded ? S3UrlDecode(s) : std::string(s); };
  ListObjectsV2Page page;
  for (pugi::xml_node c : root.children("Contents")) {
    S3Object o;
    o.key = decode(c.child_value("Key"));
    o.size = std::strtoull(c.child_value("Size"), nullptr, 10);
    o.etag = c.child_value("ETag");
    o.last_modified = c.child_value("LastModified");
    page.objects.push_back(std::move(o));
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) {
    page.common_prefixes.push_back(decode(p.child_value("Prefix")));
  }
  page.truncated = std::string_view(root.child_value("IsTruncated")) == "true";
  page.next_continuation_token = root.child_value("NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return Fail(ErrorCode::kParse, context + ": truncated listing without NextContinuationToken");
  }
  return page;
}

Result<void> S3Client::ListAll(const ListObjectsV2Request& request,
                               const std::function<bool(const ListObjectsV2Page&)>& on_page) {
  ListObjectsV2Request next = request;
  for (;;) {
    auto page = ListObjectsV2(next);
    if (!page) return tl::unexpected(page.error());
    if (!on_page(*page) || !page->truncated) return Ok();
    next.continuation_token = page->next_continuation_token;
  }
}

Result<std::vector<std::string>> S3Client::ListCommonPrefixes(std::string_view bucket,
                                                              std::string_view prefix,
                                                              std::string_view delimiter) {
  ListObjectsV2Request request;
  request.bucket = std::string(bucket);
  request.prefix = std::string(prefix);
  request.delimiter = std::string(delimiter);
  std::vector<std::string> out;
  auto listed = ListAll(request, [&](const ListObjectsV2Page& page) {
    out.insert(out.end(), page.common_prefixes.begin(), page.common_prefixes.end());
    return true;
  });
  if (!listed) return tl::unexpected(listed.error());
  return out;
}

Result<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key) {
  if (key.empty()) return Fail(ErrorCode::kInvalidArgument, "S3 GetObject: empty key");
  auto response = Send("S3 GetObject " + S3Uri(bucket, key), bucket, key, "");
  if (!response) return tl::unexpected(response.error());
  return std::move(response->body);
}

}  // namespace tw::aws
