// S3Client against the in-process fake: the URLs and headers it sends (expected values written
// from the S3 API reference and the SigV4 rules for S3, not from the implementation), XML
// listings as the S3 API reference shows them, errors and retries.
#include "aws/s3_client.h"

#include <gtest/gtest.h>

#include <deque>

#include "aws/sigv4/sigv4_signer.h"
#include "aws/testing/fake_http.h"

namespace tw::aws {
namespace {

using testing::FakeHttp;

// SHA-256 of the empty string (FIPS 180-2 test vector), the payload hash of every GET.
constexpr const char* kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Credentials Creds(std::string token = "") {
  return Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::move(token),
                     std::nullopt, "environment"};
}

S3ClientOptions Options(std::string endpoint_url, std::vector<std::chrono::milliseconds>* waits) {
  S3ClientOptions o;
  if (endpoint_url.empty()) {
    o.endpoint = *ResolveEndpoint(Service::kS3, "us-east-1", Environment());
  } else {
    o.endpoint = *ResolveEndpoint(Service::kS3, "us-east-1",
                                  Environment({{"AWS_ENDPOINT_URL_S3", endpoint_url}}));
  }
  o.wait = [waits](std::chrono::milliseconds d) {
    if (waits) waits->push_back(d);
  };
  o.random01 = [] { return 0.5; };
  return o;
}

// From the ListObjectsV2 examples of the S3 API reference, with encoding-type=url keys.
const char* kListing = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>ct-bucket</Name>
  <Prefix>AWSLogs%2F111122223333%2F</Prefix>
  <KeyCount>2</KeyCount>
  <MaxKeys>1000</MaxKeys>
  <EncodingType>url</EncodingType>
  <IsTruncated>false</IsTruncated>
  <Contents>
    <Key>AWSLogs/111122223333/a+b%2Bc%3D.json.gz</Key>
    <LastModified>2024-01-02T03:04:05.000Z</LastModified>
    <ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag>
    <Size>857</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>AWSLogs/111122223333/plain.json</Key>
    <LastModified>2024-01-02T03:04:06.000Z</LastModified>
    <ETag>&quot;aa&quot;</ETag>
    <Size>12</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <CommonPrefixes><Prefix>AWSLogs%2F111122223333%2FCloudTrail%2F</Prefix></CommonPrefixes>
</ListBucketResult>)";

TEST(S3ClientTest, ListObjectsV2PathStyleCanonicalQueryAndDecodedKeys) {
  FakeHttp http;
  // Path-style because the host is an IP; the query sorted and %-encoded ('/' is %2F).
  http.On("GET",
          "http://127.0.0.1:9000/ct-bucket?delimiter=%2F&encoding-type=url&list-type=2&"
          "prefix=AWSLogs%2F111122223333%2F",
          200, kListing);
  FakeClock clock;
  S3Client s3(
      http.Fetch(), [] { return Result<Credentials>(Creds()); },
      Options("http://127.0.0.1:9000", nullptr), clock);
  auto page = s3.ListObjectsV2({"ct-bucket", "AWSLogs/111122223333/", "/", "", "", 0});
  ASSERT_TRUE(page.has_value()) << page.error().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "AWSLogs/111122223333/a b+c=.json.gz");
  EXPECT_EQ(page->objects[0].size, 857u);
  EXPECT_EQ(page->objects[0].etag, "\"599bab3ed2c697f1d26842727561fd94\"");
  EXPECT_EQ(page->objects[1].key, "AWSLogs/111122223333/plain.json");
  ASSERT_EQ(page->common_prefixes.size(), 1u);
  EXPECT_EQ(page->common_prefixes[0], "AWSLogs/111122223333/CloudTrail/");
  EXPECT_FALSE(page->truncated);
  const HttpRequest& r = http.requests.at(0);
  ASSERT_NE(FindHeader(r.headers, "x-amz-content-sha256"), nullptr);
  EXPECT_EQ(*FindHeader(r.headers, "x-amz-content-sha256"), kEmptySha256);
  ASSERT_NE(FindHeader(r.headers, "Host"), nullptr);
  EXPECT_EQ(*FindHeader(r.headers, "Host"), "127.0.0.1:9000");
  const std::string* auth = FindHeader(r.headers, "Authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_TRUE(
      auth->starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260921/us-east-1/s3/"
                        "aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                        "Signature="))
      << *auth;
}

TEST(S3ClientTest, GetObjectVirtualHostedKeyEncodedOnceWithSessionToken) {
  FakeHttp http;
  // Each byte outside the unreserved set encoded once: ' ' %20, '+' %2B, '=' %3D; '/' kept.
  http.On("GET", "https://ct-bucket.s3.us-east-1.amazonaws.com/AWSLogs/a%20b%2Bc%3Dd.json.gz", 200,
          "gzip bytes");
  FakeClock clock;
  S3Client s3(
      http.Fetch(), [] { return Result<Credentials>(Creds("the-token")); }, Options("", nullptr),
      clock);
  auto body = s3.GetObject("ct-bucket", "AWSLogs/a b+c=d.json.gz");
  ASSERT_TRUE(body.has_value()) << body.error().ToString();
  EXPECT_EQ(*body, "gzip bytes");
  const HttpRequest& r = http.requests.at(0);
  ASSERT_NE(FindHeader(r.headers, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(*FindHeader(r.headers, "X-Amz-Security-Token"), "the-token");
  EXPECT_NE(FindHeader(r.headers, "Authorization")
                ->find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  // S3 signs the path as sent: "%2B" stays "%2B" (not "%252B"), dot segments stay.
  EXPECT_EQ(CanonicalUri("/AWSLogs/a%20b%2Bc%3Dd.json.gz", false, false),
            "/AWSLogs/a%20b%2Bc%3Dd.json.gz");
}

TEST(S3ClientTest, ErrorsAreCodeAndMessage) {
  FakeHttp http;
  http.On("GET",
          "https://ct-bucket.s3.us-east-1.amazonaws.com/"
          "?encoding-type=url&list-type=2&prefix=AWSLogs%2F",
          403,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
          "<Message>User: arn:aws:iam::111122223333:user/x is not authorized to perform: "
          "s3:ListBucket on resource: \"arn:aws:s3:::ct-bucket\"</Message>"
          "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  http.On("GET", "https://ct-bucket.s3.us-east-1.amazonaws.com/missing.json", 404,
          "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
          "<Key>missing.json</Key></Error>");
  FakeClock clock;
  std::vector<std::chrono::milliseconds> waits;
  S3Client s3(
      http.Fetch(), [] { return Result<Credentials>(Creds()); }, Options("", &waits), clock);
  ListObjectsV2Request req;
  req.bucket = "ct-bucket";
  req.prefix = "AWSLogs/";
  auto page = s3.ListObjectsV2(req);
  ASSERT_FALSE(page.has_value());
  EXPECT_EQ(page.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(page.error().message,
            "S3 ListObjectsV2 s3://ct-bucket/AWSLogs/: AccessDenied: User: "
            "arn:aws:iam::111122223333:user/x is not authorized to perform: s3:ListBucket on "
            "resource: \"arn:aws:s3:::ct-bucket\"");
  auto body = s3.GetObject("ct-bucket", "missing.json");
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(body.error().message,
            "S3 GetObject s3://ct-bucket/missing.json: NoSuchKey: The specified key does not "
            "exist.");
  EXPECT_EQ(http.requests.size(), 2u);  // neither is retried
  EXPECT_TRUE(waits.empty());
}

// A fetch that answers from a queue, one response per call.
struct Scripted {
  std::deque<Result<HttpResponse>> answers;
  std::vector<HttpRequest> requests;
  HttpFetch Fetch() {
    return [this](const HttpRequest& r) -> Result<HttpResponse> {
      requests.push_back(r);
      auto a = answers.front();
      answers.pop_front();
      return a;
    };
  }
};

TEST(S3ClientTest, SlowDownAnd5xxAreRetriedWithBackoffAndResigned) {
  Scripted http;
  http.answers.push_back(HttpResponse{503,
                                      {},
                                      "<Error><Code>SlowDown</Code><Message>Please "
                                      "reduce your request rate.</Message></Error>"});
  http.answers.push_back(Fail(ErrorCode::kUnavailable, "connection reset"));
  http.answers.push_back(HttpResponse{200, {}, "body"});
  FakeClock clock;
  std::vector<std::chrono::milliseconds> waits;
  S3Client s3(
      http.Fetch(), [] { return Result<Credentials>(Creds()); }, Options("", &waits), clock);
  auto body = s3.GetObject("ct-bucket", "k");
  ASSERT_TRUE(body.has_value()) << body.error().ToString();
  EXPECT_EQ(*body, "body");
  ASSERT_EQ(http.requests.size(), 3u);
  // random01 = 0.5: 0.5 * 2^0 s, then 0.5 * 2^1 s (retry.h).
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_EQ(waits[0], std::chrono::milliseconds(500));
  EXPECT_EQ(waits[1], std::chrono::milliseconds(1000));
  for (const auto& r : http.requests) EXPECT_NE(FindHeader(r.headers, "Authorization"), nullptr);
}

TEST(S3ClientTest, PersistentFailureStopsAfterThreeAttempts) {
  Scripted http;
  for (int i = 0; i < 3; ++i) {
    http.answers.push_back(HttpResponse{500,
                                        {},
                                        "<Error><Code>InternalError</Code>"
                                        "<Message>We encountered an internal error."
                                        "</Message></Error>"});
  }
  FakeClock clock;
  std::vector<std::chrono::milliseconds> waits;
  S3Client s3(
      http.Fetch(), [] { return Result<Credentials>(Creds()); }, Options("", &waits), clock);
  auto body = s3.GetObject("ct-bucket", "k");
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(body.error().message,
            "S3 GetObject s3://ct-bucket/k: InternalError: We encountered an internal error.");
  EXPECT_EQ(http.requests.size(), 3u);
}

TEST(S3ClientTest, ListAllFollowsContinuationTokens) {
  FakeHttp http;
  const std::string base =
      "http://127.0.0.1:9000/ct-bucket?delimiter=%2F&encoding-type=url&list-type=2";
  http.On("GET", base + "&prefix=AWSLogs%2F", 200,
          "<ListBucketResult><IsTruncated>true</IsTruncated>"
          "<NextContinuationToken>1Y6S1eu6H/rQ9+57BZFlaw==</NextContinuationToken>"
          "<CommonPrefixes><Prefix>AWSLogs/111122223333/</Prefix></CommonPrefixes>"
          "</ListBucketResult>");
  // The token's '/', '+' and '=' are %-encoded in the query; names stay sorted.
  http.On("GET",
          "http://127.0.0.1:9000/ct-bucket?continuation-token=1Y6S1eu6H%2FrQ9%2B57BZFlaw%3D%3D&"
          "delimiter=%2F&encoding-type=url&list-type=2&prefix=AWSLogs%2F",
          200,
          "<ListBucketResult><IsTruncated>false</IsTruncated>"
          "<CommonPrefixes><Prefix>AWSLogs/o-abcdef1234/</Prefix></CommonPrefixes>"
          "</ListBucketResult>");
  FakeClock clock;
  S3Client s3(
      http.Fetch(), [] { return Result<Credentials>(Creds()); },
      Options("http://127.0.0.1:9000", nullptr), clock);
  auto prefixes = s3.ListCommonPrefixes("ct-bucket", "AWSLogs/");
  ASSERT_TRUE(prefixes.has_value()) << prefixes.error().ToString();
  EXPECT_EQ(*prefixes,
            (std::vector<std::string>{"AWSLogs/111122223333/", "AWSLogs/o-abcdef1234/"}));
}

TEST(S3ClientTest, CredentialErrorsAreReturnedAsIs) {
  FakeHttp http;
  FakeClock clock;
  S3Client s3(
      http.Fetch(),
      [] { return Result<Credentials>(Fail(ErrorCode::kNotFound, "no AWS credentials")); },
      Options("", nullptr), clock);
  auto body = s3.GetObject("ct-bucket", "k");
  ASSERT_FALSE(body.has_value());
  EXPECT_EQ(body.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(body.error().message, "no AWS credentials");
  EXPECT_TRUE(http.requests.empty());
}

TEST(S3ClientTest, UrlDecodeTreatsPlusAsSpace) {
  EXPECT_EQ(S3UrlDecode("a+b%2Bc%20d"), "a b+c d");
  EXPECT_EQ(BuildCanonicalQuery({{"prefix", "a b/c"}, {"list-type", "2"}}),
            "list-type=2&prefix=a%20b%2Fc");
}

}  // namespace
}  // namespace tw::aws
