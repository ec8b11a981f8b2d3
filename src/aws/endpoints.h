// Regions and endpoints, resolved the way the AWS SDKs do.
//
// Region: AWS_REGION, else AWS_DEFAULT_REGION, else the selected profile's `region`.
//
// Endpoint of a service: AWS_ENDPOINT_URL_<SERVICE> (S3, SQS, STS, DYNAMODB, SECRETSMANAGER),
// else AWS_ENDPOINT_URL, else the public one, "https://<prefix>.<region>.amazonaws.com" (".cn"
// in China regions). STS with no region is the global "https://sts.amazonaws.com", signed for
// us-east-1. AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true disables the variables. Reference: AWS SDKs
// and Tools Reference Guide, "Service-specific endpoints".
//
// S3 addressing: virtual-hosted ("https://bucket.s3.region.amazonaws.com/key") unless path-style
// is asked for, or the endpoint's host is an IP address or "localhost" (as botocore does), or
// the bucket name cannot be a DNS label (upper case, '_', or a '.' over HTTPS).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/shared_config.h"
#include "aws/environment.h"
#include "common/error.h"

namespace tw::aws {

enum class Service { kS3, kSqs, kSts, kDynamoDb, kSecretsManager };

// The SigV4 signing name and host prefix: "s3", "sqs", "sts", "dynamodb", "secretsmanager".
std::string_view ServiceName(Service service);

// The region from the environment, else from `profile` (may be null); nullopt when none.
std::optional<std::string> ResolveRegion(const Environment& env, const ProfileSettings* profile);

struct Endpoint {
  std::string url;             // "scheme://host[:port]" plus any base path, no trailing '/'
  std::string signing_region;  // the region to sign with
  bool custom = false;         // came from AWS_ENDPOINT_URL[_<SERVICE>]
};

// The endpoint for `service` in `region` (may be empty only for kSts). kInvalidArgument when a
// configured URL does not parse or a region is required and missing.
[[nodiscard]] Result<Endpoint> ResolveEndpoint(Service service, std::string_view region,
                                               const Environment& env);

// True when S3 requests to `endpoint` for `bucket` must use path-style addressing.
bool UseS3PathStyle(const Endpoint& endpoint, std::string_view bucket, bool path_style_requested);

// The URL of `key` in `bucket` (key may be empty: the bucket itself), with `query` (already
// encoded, without '?') appended. The key is encoded once with UriEncode(key, keep_slash).
[[nodiscard]] Result<std::string> S3ObjectUrl(const Endpoint& endpoint, std::string_view bucket,
                                              std::string_view key, bool path_style_requested,
                                              std::string_view query = "");

}  // namespace tw::aws
