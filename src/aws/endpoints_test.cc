// Region and endpoint resolution, S3 addressing, error parsing and the retry rules. Expected
// values come from the AWS SDKs and Tools Reference Guide, the services' documented error
// shapes and botocore 1.43's retry constants (see retry.h).
#include "aws/endpoints.h"

#include <gtest/gtest.h>

#include "aws/aws_error.h"
#include "aws/credentials/shared_config.h"
#include "aws/retry.h"
#include "aws/url.h"

namespace tw::aws {
namespace {

using namespace std::chrono_literals;

TEST(RegionTest, EnvironmentThenProfile) {
  ProfileSettings profile{{"region", "ap-south-1"}};
  EXPECT_EQ(
      ResolveRegion(Environment({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}}),
                    &profile),
      "eu-west-1");
  EXPECT_EQ(ResolveRegion(Environment({{"AWS_DEFAULT_REGION", "us-west-2"}}), &profile),
            "us-west-2");
  EXPECT_EQ(ResolveRegion(Environment(), &profile), "ap-south-1");
  EXPECT_EQ(ResolveRegion(Environment(), nullptr), std::nullopt);
}

TEST(SharedConfigTest, ProfilesSubsectionsAndPrecedence) {
  auto config = SharedConfig::Parse(
      "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\ns3 =\n"
      "  addressing_style = path\n[sso-session x]\nsso_region = us-east-1\n[ignored]\nregion=x\n",
      "[dev]\naws_access_key_id = AKIDDEV\nregion = eu-central-1\n");
  ASSERT_TRUE(config.has_value()) << config.error().ToString();
  const ProfileSettings* dev = config->Find("dev");
  ASSERT_NE(dev, nullptr);
  EXPECT_EQ(dev->at("region"), "eu-central-1");  // the credentials file wins
  EXPECT_EQ(dev->at("s3.addressing_style"), "path");
  EXPECT_EQ(dev->at("aws_access_key_id"), "AKIDDEV");
  EXPECT_EQ(config->Find("ignored"), nullptr);
  EXPECT_EQ(config->Find("x"), nullptr);
  EXPECT_EQ(config->Find("default")->at("region"), "us-east-1");

  auto bad = SharedConfig::Parse("[default]\nthis is not a setting\n", "", "/home/u/.aws/config");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message, "/home/u/.aws/config:2: expected 'key = value' or '[section]'");
}

TEST(EndpointTest, PublicEndpoints) {
  Environment env;
  EXPECT_EQ(ResolveEndpoint(Service::kSqs, "eu-west-1", env)->url,
            "https://sqs.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(Service::kS3, "us-east-2", env)->url,
            "https://s3.us-east-2.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(Service::kDynamoDb, "cn-north-1", env)->url,
            "https://dynamodb.cn-north-1.amazonaws.com.cn");
  auto sts = ResolveEndpoint(Service::kSts, "", env);
  EXPECT_EQ(sts->url, "https://sts.amazonaws.com");
  EXPECT_EQ(sts->signing_region, "us-east-1");
  EXPECT_EQ(ResolveEndpoint(Service::kSecretsManager, "", env).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_FALSE(ResolveEndpoint(Service::kSqs, "eu-west-1/../x", env).has_value());
}

TEST(EndpointTest, ServiceSpecificVariableWinsOverGlobal) {
  Environment env({{"AWS_ENDPOINT_URL", "http://127.0.0.1:5000/"},
                   {"AWS_ENDPOINT_URL_SQS", "http://localhost:9324"}});
  auto sqs = ResolveEndpoint(Service::kSqs, "eu-west-1", env);
  EXPECT_EQ(sqs->url, "http://localhost:9324");
  EXPECT_TRUE(sqs->custom);
  EXPECT_EQ(sqs->signing_region, "eu-west-1");
  EXPECT_EQ(ResolveEndpoint(Service::kS3, "eu-west-1", env)->url, "http://127.0.0.1:5000");
  EXPECT_EQ(ResolveEndpoint(Service::kSts, "", env)->url, "http://127.0.0.1:5000");
  env.Set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
  EXPECT_EQ(ResolveEndpoint(Service::kSqs, "eu-west-1", env)->url,
            "https://sqs.eu-west-1.amazonaws.com");
  Environment bad({{"AWS_ENDPOINT_URL_DYNAMODB", "ftp://x"}});
  auto err = ResolveEndpoint(Service::kDynamoDb, "eu-west-1", bad);
  ASSERT_FALSE(err.has_value());
  EXPECT_NE(err.error().message.find("AWS_ENDPOINT_URL_DYNAMODB"), std::string::npos);
}

TEST(S3AddressingTest, PathStyleForIpAndLocalhostVirtualOtherwise) {
  Endpoint aws{"https://s3.eu-west-1.amazonaws.com", "eu-west-1", false};
  Endpoint moto{"http://127.0.0.1:5000", "eu-west-1", true};
  Endpoint local{"http://LocalHost:9000", "eu-west-1", true};
  Endpoint v6{"http://[::1]:9000", "eu-west-1", true};
  Endpoint minio{"https://minio.internal:9000", "eu-west-1", true};
  EXPECT_EQ(*S3ObjectUrl(aws, "trail-bucket", "AWSLogs/a b+c~.json.gz", false),
            "https://trail-bucket.s3.eu-west-1.amazonaws.com/AWSLogs/a%20b%2Bc~.json.gz");
  EXPECT_EQ(*S3ObjectUrl(moto, "trail-bucket", "k/ü", false),
            "http://127.0.0.1:5000/trail-bucket/k/%C3%BC");
  EXPECT_EQ(*S3ObjectUrl(local, "b-1", "k", false), "http://LocalHost:9000/b-1/k");
  EXPECT_EQ(*S3ObjectUrl(v6, "b-1", "", false, "list-type=2"), "http://[::1]:9000/b-1?list-type=2");
  EXPECT_EQ(*S3ObjectUrl(minio, "b-1", "k", false), "https://b-1.minio.internal:9000/k");
  EXPECT_EQ(*S3ObjectUrl(minio, "b-1", "k", true), "https://minio.internal:9000/b-1/k");
  // A dotted bucket cannot be virtual-hosted over TLS; upper case is never a DNS name.
  EXPECT_EQ(*S3ObjectUrl(aws, "my.bucket", "k", false),
            "https://s3.eu-west-1.amazonaws.com/my.bucket/k");
  EXPECT_TRUE(UseS3PathStyle(aws, "MyBucket", false));
  EXPECT_FALSE(UseS3PathStyle(aws, "mybucket", false));
}

TEST(UrlTest, ParseAndHostHeader) {
  auto u = ParseUrl("https://Example.com:443/a%20b?x=1#frag");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "Example.com");
  EXPECT_EQ(u->path, "/a%20b");
  EXPECT_EQ(u->query, "x=1");
  EXPECT_EQ(u->HostHeader(), "Example.com");
  EXPECT_EQ(ParseUrl("http://127.0.0.1:5000")->HostHeader(), "127.0.0.1:5000");
  EXPECT_EQ(ParseUrl("http://127.0.0.1:5000")->path, "/");
  EXPECT_FALSE(ParseUrl("127.0.0.1:5000/x").has_value());
  EXPECT_FALSE(ParseUrl("http://:80/").has_value());
  EXPECT_EQ(UriEncode("a b/+~é", true), "a%20b/%2B~%C3%A9");
  EXPECT_EQ(PercentDecode("a%20b%2fc+%zz%4"), "a b/c+%zz%4");
}

TEST(AwsErrorTest, S3Xml) {
  HttpResponse r{404,
                 {},
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
                 "<Message>The resource you requested does not exist</Message>"
                 "<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9"
                 "</RequestId></Error>"};
  AwsError e = ParseAwsError(r);
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  Error err = e.ToError("S3 GetObject");
  EXPECT_EQ(err.code, ErrorCode::kNotFound);
  EXPECT_EQ(err.message, "S3 GetObject: NoSuchKey: The resource you requested does not exist");
  EXPECT_EQ(ClassifyRetry(e), RetryClass::kNotRetryable);
}

TEST(AwsErrorTest, QueryProtocolXml) {
  HttpResponse r{403,
                 {},
                 "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                 "<Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: "
                 "arn:aws:iam::123456789012:user/x is not authorized to perform: "
                 "s3:ListBucket on resource: arn:aws:s3:::b</Message></Error>"
                 "<RequestId>c6104cbe</RequestId></ErrorResponse>"};
  AwsError e = ParseAwsError(r);
  EXPECT_EQ(e.ToString(),
            "AccessDenied: User: arn:aws:iam::123456789012:user/x is not authorized to perform: "
            "s3:ListBucket on resource: arn:aws:s3:::b");
  EXPECT_EQ(e.request_id, "c6104cbe");
  EXPECT_EQ(e.ToError("").code, ErrorCode::kInvalidArgument);
}

TEST(AwsErrorTest, JsonProtocols) {
  HttpResponse ddb{
      400,
      {{"x-amzn-RequestId", "RID"}},
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",)"
      R"("message":"The level of configured provisioned throughput for the table was exceeded."})"};
  AwsError e = ParseAwsError(ddb);
  EXPECT_EQ(e.code, "ProvisionedThroughputExceededException");
  EXPECT_EQ(e.request_id, "RID");
  EXPECT_EQ(e.ToError("DynamoDB").code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(ClassifyRetry(e), RetryClass::kThrottling);

  HttpResponse sqs{
      400,
      {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}},
      R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})"};
  AwsError q = ParseAwsError(sqs);
  EXPECT_EQ(q.code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(q.ToError("SQS").code, ErrorCode::kNotFound);

  HttpResponse sm{
      400,
      {},
      R"({"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."})"};
  EXPECT_EQ(ParseAwsError(sm).ToString(),
            "ResourceNotFoundException: Secrets Manager can't find the specified secret.");

  HttpResponse typed{
      400, {{"x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/"}}, "{}"};
  EXPECT_EQ(ParseAwsError(typed).code, "ValidationException");
}

TEST(AwsErrorTest, NoBodyFallsBackToTheStatus) {
  EXPECT_EQ(ParseAwsError(HttpResponse{404, {}, ""}).code, "NotFound");
  AwsError unavailable = ParseAwsError(HttpResponse{503, {}, "<html>gateway</html>"});
  EXPECT_EQ(unavailable.code, "ServiceUnavailable");
  EXPECT_EQ(unavailable.ToError("S3").code, ErrorCode::kUnavailable);
  EXPECT_EQ(ClassifyRetry(unavailable), RetryClass::kTransient);
  EXPECT_EQ(ClassifyRetry(ParseAwsError(HttpResponse{501, {}, ""})), RetryClass::kNotRetryable);
  AwsError slow = ParseAwsError(HttpResponse{503, {}, "<Error><Code>SlowDown</Code></Error>"});
  EXPECT_EQ(ClassifyRetry(slow), RetryClass::kThrottling);
  EXPECT_EQ(ClassifyRetry(
                ParseAwsError(HttpResponse{400, {}, "<Error><Code>RequestTimeout</Code></Error>"})),
            RetryClass::kTransient);
}

TEST(RetryTest, TransportErrors) {
  EXPECT_EQ(ClassifyRetry(Error{ErrorCode::kUnavailable, "refused"}), RetryClass::kTransient);
  EXPECT_EQ(ClassifyRetry(Error{ErrorCode::kInvalidArgument, "bad url"}),
            RetryClass::kNotRetryable);
}

TEST(RetryTest, BackoffIsFullJitterCappedAtTwentySeconds) {
  // rand * min(2^(i-1), 20) s.
  EXPECT_EQ(BackoffDelay(1, 0.5), 500ms);
  EXPECT_EQ(BackoffDelay(2, 0.5), 1000ms);
  EXPECT_EQ(BackoffDelay(3, 0.25), 1000ms);
  EXPECT_EQ(BackoffDelay(5, 1.0), 16000ms);
  EXPECT_EQ(BackoffDelay(6, 1.0), 20000ms);
  EXPECT_EQ(BackoffDelay(60, 1.0), 20000ms);
  EXPECT_EQ(BackoffDelay(1, 0.0), 0ms);
  EXPECT_EQ(kMaxAttempts, 3);
}

TEST(RetryTest, QuotaStopsRetryStorms) {
  RetryQuota quota;
  int granted = 0;
  while (quota.AcquireRetry(/*after_timeout=*/false)) ++granted;
  EXPECT_EQ(granted, 100);  // 500 / 5
  EXPECT_EQ(quota.Available(), 0);
  quota.RecordSuccess(0);
  EXPECT_EQ(quota.Available(), 1);
  quota.RecordSuccess(10);
  EXPECT_EQ(quota.Available(), 11);
  EXPECT_TRUE(quota.AcquireRetry(/*after_timeout=*/true));
  EXPECT_EQ(quota.Available(), 1);
  for (int i = 0; i < 200; ++i) quota.RecordSuccess(5);
  EXPECT_EQ(quota.Available(), 500);
}

}  // namespace
}  // namespace tw::aws
