#include "aws/notification.h"

#include <gtest/gtest.h>

#include <string>

namespace tw::aws {
namespace {

using Kind = Notification::Kind;

// The example of "Event message structure" (Amazon S3 User Guide), version 2.1, shortened only
// in the identity fields.
constexpr std::string_view kS3Event = R"({
  "Records": [{
    "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-west-2",
    "eventTime": "1970-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
    "userIdentity": {"principalId": "AWS:AIDAJDPLRKLG7UEXAMPLE"},
    "requestParameters": {"sourceIPAddress": "127.0.0.1"},
    "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810",
                         "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},
    "s3": {
      "s3SchemaVersion": "1.0", "configurationId": "testConfigRule",
      "bucket": {"name": "amzn-s3-demo-bucket", "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                 "arn": "arn:aws:s3:::amzn-s3-demo-bucket"},
      "object": {"key": "HappyFace.jpg", "size": 1024, "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                 "versionId": "096fKKXTRTtl3on89fVO.nfljtsv6qko", "sequencer": "0055AED6DCD90281E5"}
    }
  }]
})";

TEST(ParseNotificationTest, S3EventNotificationFromTheDocs) {
  auto n = ParseNotification(kS3Event);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->kind, Kind::kS3Objects);
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].bucket, "amzn-s3-demo-bucket");
  EXPECT_EQ(n->objects[0].key, "HappyFace.jpg");
  EXPECT_EQ(n->objects[0].size, 1024u);
  EXPECT_EQ(n->skipped, 0u);
  EXPECT_FALSE(n->via_sns);
}

std::string S3Record(std::string_view event_name, std::string_view key, std::string_view size) {
  return std::string(R"({"eventSource":"aws:s3","eventName":")") + std::string(event_name) +
         R"(","s3":{"bucket":{"name":"ct-bucket"},"object":{"key":")" + std::string(key) +
         R"(","size":)" + std::string(size) + "}}}";
}

TEST(ParseNotificationTest, KeysAreUrlDecodedAsS3EncodesThem) {
  // S3 encodes "red flower.jpg" as "red+flower.jpg"; a literal '+' is %2B; moto also encodes '/'.
  // "caf%C3%A9" is the UTF-8 of "café". Hand-decoded.
  std::string body = R"({"Records":[)" + S3Record("ObjectCreated:Put", "red+flower.jpg", "1") +
                     "," + S3Record("ObjectCreated:Put", "a%2Bb%2Fc%3D1", "2") + "," +
                     S3Record("ObjectCreated:Copy", "AWSLogs/caf%C3%A9/x%2fy", "3") + "," +
                     S3Record("ObjectCreated:Put", "100%25+done%", "4") + "]}";
  auto n = ParseNotification(body);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(n->objects.size(), 4u);
  EXPECT_EQ(n->objects[0].key, "red flower.jpg");
  EXPECT_EQ(n->objects[1].key, "a+b/c=1");
  EXPECT_EQ(n->objects[2].key, "AWSLogs/caf\xC3\xA9/x/y");
  EXPECT_EQ(n->objects[3].key, "100% done%");  // a trailing '%' without hex stays
  EXPECT_EQ(n->objects[3].size, 4u);
}

TEST(ParseNotificationTest, OtherS3EventTypesAreSkippedAndCounted) {
  std::string body = R"({"Records":[)" + S3Record("ObjectRemoved:Delete", "a", "0") + "," +
                     S3Record("s3:ObjectCreated:Post", "b", "5") + "," +
                     S3Record("ObjectRestore:Completed", "c", "0") + "]}";
  auto n = ParseNotification(body);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].key, "b");
  EXPECT_EQ(n->skipped, 2u);
}

TEST(ParseNotificationTest, MotoShapedEventWithoutIdentityFields) {
  // moto: no userIdentity/requestParameters/sequencer, eventTime without Z, '/' as %2F.
  constexpr std::string_view kMoto = R"({"Records": [{"eventVersion": "2.1",
    "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventTime": "2026-11-28T10:00:00.000",
    "eventName": "ObjectCreated:Put", "s3": {"s3SchemaVersion": "1.0", "configurationId": "ct",
    "bucket": {"name": "ct-bucket", "arn": "arn:aws:s3:::ct-bucket"},
    "object": {"key": "AWSLogs%2F123456789012%2FCloudTrail%2Fus-east-1%2F2026%2F11%2F28%2Ff.json.gz",
               "size": 1234, "eTag": "\"abc\"", "versionId": null}}}]})";
  auto n = ParseNotification(kMoto);
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].key, "AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/28/f.json.gz");
}

// "Amazon SNS message and JSON formats": an HTTP/S notification body; SQS receives the same.
std::string Sns(std::string_view message_json) {
  std::string escaped;
  for (char c : message_json) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  return R"({"Type" : "Notification", "MessageId" : "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    "TopicArn" : "arn:aws:sns:us-west-2:123456789012:MyTopic", "Subject" : "Amazon S3 Notification",
    "Message" : ")" +
         escaped + R"(", "Timestamp" : "2012-05-02T00:54:06.655Z", "SignatureVersion" : "1",
    "Signature" : "EXAMPLEw6JRN...", "SigningCertURL" : "https://sns.us-west-2.amazonaws.com/x.pem",
    "UnsubscribeURL" : "https://sns.us-west-2.amazonaws.com/?Action=Unsubscribe"})";
}

TEST(ParseNotificationTest, S3EventWrappedInSns) {
  auto n = ParseNotification(Sns(kS3Event));
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_TRUE(n->via_sns);
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].bucket, "amzn-s3-demo-bucket");
  EXPECT_EQ(n->objects[0].key, "HappyFace.jpg");
}

constexpr std::string_view kTestEvent =
    R"({"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2014-10-13T15:57:02.089Z",
        "Bucket":"amzn-s3-demo-bucket","RequestId":"5582815E1AEA5ADF",
        "HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"})";

TEST(ParseNotificationTest, TestEventDirectAndInSns) {
  auto n = ParseNotification(kTestEvent);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->kind, Kind::kTestEvent);
  EXPECT_TRUE(n->objects.empty());
  auto wrapped = ParseNotification(Sns(kTestEvent));
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_EQ(wrapped->kind, Kind::kTestEvent);
  EXPECT_TRUE(wrapped->via_sns);
}

// "Amazon S3 event notifications with EventBridge": Object Created.
constexpr std::string_view kEventBridgeObjectCreated = R"({
  "version": "0", "id": "17793124-05d4-b198-2fde-7ededc63b103", "detail-type": "Object Created",
  "source": "aws.s3", "account": "111122223333", "time": "2021-11-12T00:00:00Z",
  "region": "ca-central-1", "resources": ["arn:aws:s3:::amzn-s3-demo-bucket1"],
  "detail": {"version": "0", "bucket": {"name": "amzn-s3-demo-bucket1"},
    "object": {"key": "AWSLogs/111122223333/CloudTrail/2021-11-12T00:00:00 a+b.json.gz",
               "size": 5, "etag": "b1946ac92492d2347c6235b4d2611184",
               "version-id": "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e", "sequencer": "617f08299329d189"},
    "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012",
    "source-ip-address": "1.2.3.4", "reason": "PutObject"}})";

TEST(ParseNotificationTest, EventBridgeObjectCreatedKeepsTheKeyAsIs) {
  auto n = ParseNotification(kEventBridgeObjectCreated);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->kind, Kind::kS3Objects);
  ASSERT_EQ(n->objects.size(), 1u);
  EXPECT_EQ(n->objects[0].bucket, "amzn-s3-demo-bucket1");
  EXPECT_EQ(n->objects[0].key, "AWSLogs/111122223333/CloudTrail/2021-11-12T00:00:00 a+b.json.gz");
  EXPECT_EQ(n->objects[0].size, 5u);
}

TEST(ParseNotificationTest, EventBridgeObjectDeletedIsSkipped) {
  std::string body(kEventBridgeObjectCreated);
  body.replace(body.find("Object Created"), 14, "Object Deleted");
  auto n = ParseNotification(body);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->kind, Kind::kS3Objects);
  EXPECT_TRUE(n->objects.empty());
  EXPECT_EQ(n->skipped, 1u);
}

// An EventBridge event for a CloudTrail management event (EventBridge User Guide, "Events from
// AWS services" / CloudTrail), shortened.
constexpr std::string_view kCloudTrailViaEventBridge = R"({"version":"0",
  "id":"36eb8523-97d0-4518-b33d-ee3579ff19f0","detail-type":"AWS API Call via CloudTrail",
  "source":"aws.s3","account":"111122223333","time":"2016-02-20T01:09:13Z","region":"us-east-1",
  "resources":[],"detail":{"eventVersion":"1.03","userIdentity":{"type":"Root",
  "principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},
  "eventTime":"2016-02-20T01:09:13Z","eventSource":"s3.amazonaws.com","eventName":"CreateBucket",
  "awsRegion":"us-east-1","sourceIPAddress":"100.100.100.100","userAgent":"[S3Console/0.4]",
  "requestParameters":{"bucketName":"bucket-test-iad"},"responseElements":null,
  "requestID":"9D767BCC3B4E7487","eventID":"24ba271e-d595-4e66-a7fd-9c16cbf8abae",
  "eventType":"AwsApiCall"}})";

TEST(ParseNotificationTest, CloudTrailEventViaEventBridgeKeepsTheEvent) {
  // Its source is aws.s3 too: the detail-type decides, not the source.
  auto n = ParseNotification(kCloudTrailViaEventBridge);
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->kind, Kind::kCloudTrailEvent);
  EXPECT_EQ(n->event_json, kCloudTrailViaEventBridge);
  EXPECT_TRUE(n->objects.empty());
}

TEST(ParseNotificationTest, CloudTrailSignInEventInSnsKeepsTheInnerEvent) {
  std::string event(kCloudTrailViaEventBridge);
  event.replace(event.find("AWS API Call"), 12, "AWS Console Sign In");
  auto n = ParseNotification(Sns(event));
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(n->kind, Kind::kCloudTrailEvent);
  // The SNS Message unescaped is the inner event exactly.
  EXPECT_EQ(n->event_json, event);
}

TEST(ParseNotificationTest, CloudTrailSnsDeliveryNotification) {
  // "Configuring Amazon SNS notifications for CloudTrail": the keys are not encoded.
  constexpr std::string_view kMessage =
      R"({"s3Bucket":"amzn-s3-demo-bucket","s3ObjectKey":["AWSLogs/123456789012/CloudTrail/us-east-2/2013/12/13/123456789012_CloudTrail_us-west-2_20131213T1920Z_LnPgDDLkCv3GOHbm.json.gz","AWSLogs/a+b.json.gz"]})";
  auto n = ParseNotification(Sns(kMessage));
  ASSERT_TRUE(n) << n.error().message;
  ASSERT_EQ(n->objects.size(), 2u);
  EXPECT_EQ(n->objects[0].bucket, "amzn-s3-demo-bucket");
  EXPECT_EQ(n->objects[1].key, "AWSLogs/a+b.json.gz");
}

void ExpectParseError(std::string_view body, std::string_view fragment) {
  auto n = ParseNotification(body);
  ASSERT_FALSE(n) << "accepted: " << body;
  EXPECT_EQ(n.error().code, ErrorCode::kParse);
  EXPECT_NE(n.error().message.find(fragment), std::string::npos)
      << "message `" << n.error().message << "` lacks `" << fragment << "`";
}

TEST(ParseNotificationTest, HostileAndMalformedBodiesAreNamed) {
  ExpectParseError("", "not JSON");
  ExpectParseError("{\"Records\":[", "not JSON");
  ExpectParseError("[1,2]", "not a JSON object");
  ExpectParseError("\"Records\"", "not a JSON object");
  ExpectParseError(R"({"hello":"world","x":1})", "keys {hello, x}");
  // A key with an escape sequence is shown escaped, never raw.
  ExpectParseError("{\"\\u001b[31mred\":1}", "keys {\\x1b[31mred}");
  ExpectParseError(R"({"Records":[{"eventName":"ObjectCreated:Put"}]})",
                   "Records[0] has no `s3` object");
  ExpectParseError(R"({"Records":[1]})", "Records[0] is not an object");
  ExpectParseError(
      R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{}}}]})",
      "no s3.object.key");
  ExpectParseError(R"({"Records":[{"s3":{"object":{"key":"k"}}}]})", "no s3.bucket.name");
  ExpectParseError(
      R"({"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":7}}}]})",
      "no s3.object.key");
  // A CloudTrail log file pushed into the queue is not a notification.
  ExpectParseError(R"({"Records":[{"eventVersion":"1.08","eventName":"ConsoleLogin"}]})",
                   "a CloudTrail log file is not a notification");
  ExpectParseError(R"({"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2",
                      "detail":{}})",
                   "detail-type `EC2 Instance State-change Notification` from source `aws.ec2`");
  ExpectParseError(R"({"detail-type":"AWS API Call via CloudTrail","source":"aws.iam"})",
                   "has no `detail` object");
  ExpectParseError(R"({"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{}}})",
                   "no detail.bucket.name");
  ExpectParseError(R"({"Type":"Notification","TopicArn":"arn","Message":"not json"})",
                   "SNS notification Message: message is not JSON");
  ExpectParseError(R"({"Type":"SubscriptionConfirmation","TopicArn":"arn","Token":"t"})",
                   "SNS message of Type `SubscriptionConfirmation`");
  ExpectParseError(Sns(Sns(kTestEvent)), "nested");
  ExpectParseError(R"({"s3Bucket":"b","s3ObjectKey":[1]})", "non-string");
  // A long body is cut in the message.
  std::string big = "x" + std::string(10000, 'y');
  auto n = ParseNotification(big);
  ASSERT_FALSE(n);
  EXPECT_LT(n.error().message.size(), 300u);  // not 10,000
}

TEST(DecodeS3EventKeyTest, FormEncoding) {
  EXPECT_EQ(DecodeS3EventKey("a+b"), "a b");
  EXPECT_EQ(DecodeS3EventKey("a%2Bb"), "a+b");
  EXPECT_EQ(DecodeS3EventKey("%e2%82%ac"), "\xE2\x82\xAC");  // U+20AC
  EXPECT_EQ(DecodeS3EventKey("%zz%4"), "%zz%4");
  EXPECT_EQ(DecodeS3EventKey("%00"), std::string(1, '\0'));
  EXPECT_EQ(DecodeS3EventKey(""), "");
}

}  // namespace
}  // namespace tw::aws
