#include "aws/endpoints.h"

#include <cctype>

#include "aws/url.h"

namespace tw::aws {
namespace {

std::string_view EnvSuffix(Service service) {
  switch (service) {
    case Service::kS3:
      return "S3";
    case Service::kSqs:
      return "SQS";
    case Service::kSts:
      return "STS";
    case Service::kDynamoDb:
      return "DYNAMODB";
    case Service::kSecretsManager:
      return "SECRETSMANAGER";
  }
  return "";
}

bool IsDnsCompatibleBucket(std::string_view bucket, bool https) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  // A dotted name breaks the wildcard TLS certificate of *.s3.amazonaws.com.
  if (https && bucket.find('.') != std::string_view::npos) return false;
  return bucket.front() != '-' && bucket.back() != '-';
}

}  // namespace

std::string_view ServiceName(Service service) {
  switch (service) {
    case Service::kS3:
      return "s3";
    case Service::kSqs:
      return "sqs";
    case Service::kSts:
      return "sts";
    case Service::kDynamoDb:
      return "dynamodb";
    case Service::kSecretsManager:
      return "secretsmanager";
  }
  return "";
}

std::optional<std::string> ResolveRegion(const Environment& env, const ProfileSettings* profile) {
  if (auto r = env.Get("AWS_REGION")) return r;
  if (auto r = env.Get("AWS_DEFAULT_REGION")) return r;
  if (profile != nullptr) {
    auto it = profile->find("region");
    if (it != profile->end() && !it->second.empty()) return it->second;
  }
  return std::nullopt;
}

Result<Endpoint> ResolveEndpoint(Service service, std::string_view region, const Environment& env) {
  Endpoint endpoint;
  endpoint.signing_region = std::string(region);
  if (!env.IsTrue("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    std::string specific = "AWS_ENDPOINT_URL_" + std::string(EnvSuffix(service));
    std::optional<std::string> configured = env.Get(specific);
    std::string from = specific;
    if (!configured) {
      configured = env.Get("AWS_ENDPOINT_URL");
      from = "AWS_ENDPOINT_URL";
    }
    if (configured) {
      auto parts = ParseUrl(*configured);
      if (!parts) {
        return Fail(ErrorCode::kInvalidArgument, from + ": " + parts.error().message);
      }
      std::string path = parts->path == "/" ? "" : parts->path;
      while (!path.empty() && path.back() == '/') path.pop_back();
      endpoint.url = parts->Origin() + path;
      endpoint.custom = true;
      if (endpoint.signing_region.empty()) endpoint.signing_region = "us-east-1";
      return endpoint;
    }
  }
  std::string_view name = ServiceName(service);
  if (region.empty()) {
    if (service == Service::kSts) {
      endpoint.url = "https://sts.amazonaws.com";
      endpoint.signing_region = "us-east-1";
      return endpoint;
    }
    return Fail(ErrorCode::kInvalidArgument,
                "no AWS region: set AWS_REGION or the profile's region (needed for " +
                    std::string(name) + ")");
  }
  for (char c : region) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) {
      return Fail(ErrorCode::kInvalidArgument, "invalid AWS region '" + std::string(region) + "'");
    }
  }
  std::string_view suffix = region.starts_with("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  endpoint.url =
      "https://" + std::string(name) + "." + std::string(region) + "." + std::string(suffix);
  return endpoint;
}

bool UseS3PathStyle(const Endpoint& endpoint, std::string_view bucket, bool path_style_requested) {
  if (path_style_requested) return true;
  auto parts = ParseUrl(endpoint.url);
  if (!parts) return true;
  if (IsIpOrLocalhost(parts->host)) return true;
  return !IsDnsCompatibleBucket(bucket, parts->scheme == "https");
}

Result<std::string> S3ObjectUrl(const Endpoint& endpoint, std::string_view bucket,
                                std::string_view key, bool path_style_requested,
                                std::string_view query) {
  if (bucket.empty()) return Fail(ErrorCode::kInvalidArgument, "empty S3 bucket name");
  auto parts = ParseUrl(endpoint.url);
  if (!parts) return tl::unexpected(parts.error());
  std::string base_path = parts->path == "/" ? "" : parts->path;
  std::string url;
  if (UseS3PathStyle(endpoint, bucket, path_style_requested)) {
    url = parts->Origin() + base_path + "/" + UriEncode(bucket);
    if (!key.empty()) url += "/" + UriEncode(key, /*keep_slash=*/true);
  } else {
    url = parts->scheme + "://" + std::string(bucket) + "." + parts->host;
    if (!parts->port.empty()) url += ":" + parts->port;
    url += base_path + "/" + UriEncode(key, /*keep_slash=*/true);
  }
  if (!query.empty()) url += "?" + std::string(query);
  return url;
}

}  // namespace tw::aws
