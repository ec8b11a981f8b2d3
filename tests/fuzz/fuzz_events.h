// Fixed events the pattern fuzz targets evaluate their compiled patterns on.
//
// The record exercises what patterns reach for: nested objects, arrays of objects and scalars,
// numbers (integer, negative, float), booleans, null, an empty string, an IP address and a key
// with a dot in it. The envelope is an EventBridge event wrapping a record as `detail`.
#pragma once
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace tw::fuzz {

inline constexpr std::string_view kCloudTrailRecord = R"({
  "eventVersion": "1.08",
  "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn":
    "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333", "userName": "alice",
    "sessionContext": {"attributes": {"mfaAuthenticated": "false",
    "creationDate": "2024-01-01T00:00:00Z"}}},
  "eventTime": "2024-01-01T00:00:00Z",
  "eventSource": "ec2.amazonaws.com",
  "eventName": "AuthorizeSecurityGroupIngress",
  "awsRegion": "us-east-1",
  "sourceIPAddress": "192.0.2.10",
  "userAgent": "aws-cli/2.0",
  "errorCode": null,
  "readOnly": false,
  "managementEvent": true,
  "requestParameters": {"groupId": "sg-0123", "ipPermissions": {"items": [
    {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
     "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}},
    {"ipProtocol": "-1", "fromPort": -1, "toPort": 65535.5,
     "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}}]}},
  "responseElements": {"_return": true, "count": 0, "empty": "", "list": [1, "2", [3], {}]},
  "resources": [{"ARN": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0123"}],
  "dotted.key": "x",
  "eventType": "AwsApiCall",
  "recipientAccountId": "111122223333",
  "eventID": "00000000-0000-0000-0000-000000000001"
})";

inline constexpr std::string_view kEventBridgeEvent = R"({
  "version": "0", "id": "00000000-0000-0000-0000-000000000002",
  "detail-type": "AWS API Call via CloudTrail", "source": "aws.ec2",
  "account": "111122223333", "time": "2024-01-01T00:00:00Z", "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:111122223333:instance/i-1"],
  "detail": {"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
    "sourceIPAddress": "2001:db8::1", "state": {"status": "running"}, "state.status": "running",
    "count": 3, "ratio": 0.5, "flag": true, "nothing": null,
    "items": [{"a": "x", "b": 1}, {"a": "y", "b": 2}], "tags": ["Prod", "prod", "*"]}
})";

inline constexpr std::string_view kPlainLine =
    R"(127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534)";

// A parsed fixed document. The parser lives as long as the element; parse once, at start-up.
struct ParsedJson {
  explicit ParsedJson(std::string_view text) : padded(text) {
    if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
      std::fprintf(stderr, "fuzz: a fixed event does not parse\n");
      std::abort();
    }
  }
  simdjson::padded_string padded;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

}  // namespace tw::fuzz
