#include "aws/service_clients.h"

#include "aws/credentials/credential_chain.h"
#include "aws/credentials/shared_config.h"
#include "aws/curl_fetch.h"
#include "aws/url.h"
#include "common/strings.h"

namespace tw::aws {

Result<AwsSetup> DefaultAwsSetup(const Clock& clock) {
  AwsSetup setup;
  setup.env = Environment::FromProcess();
  setup.region = ResolveRegion(setup.env, nullptr).value_or("");
  auto fetch = MakeCurlFetch();
  if (!fetch) return tl::unexpected(fetch.error());
  setup.fetch = *fetch;
  std::shared_ptr<CredentialChain> chain =
      CredentialChain::Default(setup.env, setup.region, setup.fetch, clock);
  setup.credentials = [chain] { return chain->Get(); };
  return setup;
}

std::string RegionOfQueueUrl(std::string_view queue_url) {
  auto parts = ParseUrl(queue_url);
  if (!parts) return "";
  std::string_view host = parts->host;
  if (StartsWith(host, "sqs.")) {
    host.remove_prefix(4);
    size_t dot = host.find('.');
    if (dot != std::string_view::npos && host.substr(dot).find(".amazonaws.com") == 0) {
      return std::string(host.substr(0, dot));
    }
  }
  if (size_t q = host.find(".queue.amazonaws.com"); q != std::string_view::npos && q > 0) {
    return std::string(host.substr(0, q));
  }
  return "";
}

Result<std::unique_ptr<SqsClient>> MakeSqsClient(const AwsSetup& setup,
                                                 const std::string& queue_url, const Clock& clock) {
  std::string region = setup.region.empty() ? RegionOfQueueUrl(queue_url) : setup.region;
  if (region.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no AWS region: set AWS_REGION (the queue URL does not name one)");
  }
  auto endpoint = ResolveEndpoint(Service::kSqs, region, setup.env);
  if (!endpoint) return tl::unexpected(endpoint.error());
  if (!endpoint->custom) {
    auto parts = ParseUrl(queue_url);
    if (!parts) return tl::unexpected(parts.error());
    endpoint->url = parts->Origin();
  }
  return std::make_unique<SqsClient>(
      std::make_unique<AwsJsonClient>(setup.fetch, *endpoint, setup.credentials, clock,
                                      SqsJsonOptions(DefaultRetryOptions(nullptr))));
}

Result<std::unique_ptr<S3Client>> MakeS3Client(const AwsSetup& setup, std::string_view region,
                                               bool path_style, const Clock& clock) {
  std::string r = region.empty() ? setup.region : std::string(region);
  if (r.empty()) return Fail(ErrorCode::kInvalidArgument, "no AWS region: set AWS_REGION");
  auto endpoint = ResolveEndpoint(Service::kS3, r, setup.env);
  if (!endpoint) return tl::unexpected(endpoint.error());
  S3ClientOptions options;
  options.endpoint = *endpoint;
  options.path_style = path_style;
  return std::make_unique<S3Client>(setup.fetch, setup.credentials, std::move(options), clock);
}

Result<std::unique_ptr<DynamoDbClient>> MakeDynamoDbClient(const AwsSetup& setup,
                                                           const Clock& clock) {
  if (setup.region.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no AWS region for DynamoDB: set AWS_REGION");
  }
  auto endpoint = ResolveEndpoint(Service::kDynamoDb, setup.region, setup.env);
  if (!endpoint) return tl::unexpected(endpoint.error());
  return std::make_unique<DynamoDbClient>(
      std::make_unique<AwsJsonClient>(setup.fetch, *endpoint, setup.credentials, clock,
                                      DynamoDbJsonOptions(DefaultRetryOptions(nullptr))));
}

}  // namespace tw::aws
