// Service clients wired for production: the libcurl HttpFetch (curl_fetch.h), the SDKs' default
// credential chain and region from the process environment, and the endpoint rules of
// endpoints.h. `watch` (pipeline/daemon.cc) and `trailwatch state init` use these.
//
// Ownership: an AwsSetup holds the fetch and a credentials function sharing one CredentialChain;
// every client made from it keeps what it needs alive (copies of both), so the setup may go
// away first. The clock is borrowed by everything made here and must outlive it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "aws/dynamodb_client.h"
#include "aws/environment.h"
#include "aws/json_client.h"
#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "common/clock.h"

namespace tw::aws {

struct AwsSetup {
  Environment env;
  std::string region;  // may be empty: then each client needs one from elsewhere
  HttpFetch fetch;
  CredentialsFn credentials;
};

// From the process environment. kInternal when libcurl cannot start.
[[nodiscard]] Result<AwsSetup> DefaultAwsSetup(const Clock& clock);

// The region of a queue URL "https://sqs.<region>.amazonaws.com/..." (or the legacy
// "<region>.queue.amazonaws.com"); empty when the host says nothing.
std::string RegionOfQueueUrl(std::string_view queue_url);

// An SQS client for `queue_url`: the endpoint is AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL when
// set, else the queue URL's own origin; the region is the setup's, else the queue URL's.
// kInvalidArgument when the URL does not parse or no region is known.
[[nodiscard]] Result<std::unique_ptr<SqsClient>> MakeSqsClient(const AwsSetup& setup,
                                                               const std::string& queue_url,
                                                               const Clock& clock);
// `region` overrides the setup's when not empty.
[[nodiscard]] Result<std::unique_ptr<S3Client>> MakeS3Client(const AwsSetup& setup,
                                                             std::string_view region,
                                                             bool path_style, const Clock& clock);
[[nodiscard]] Result<std::unique_ptr<DynamoDbClient>> MakeDynamoDbClient(const AwsSetup& setup,
                                                                         const Clock& clock);

}  // namespace tw::aws
