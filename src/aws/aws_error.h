// AwsError: an AWS service's error response, parsed, and turned into a tw::Error.
//
// Two shapes exist (botocore/parsers.py is the reference):
//   * XML: S3 "<Error><Code/><Message/><RequestId/></Error>" and the query protocol (STS, SQS
//     query) "<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>";
//   * JSON (DynamoDB, the SQS JSON protocol, Secrets Manager): {"__type": "ns#Code",
//     "message"|"Message": "..."}; the code may also come from the x-amzn-ErrorType header, and
//     for SQS from x-amzn-query-error ("AWS.SimpleQueueService.NonExistentQueue;Sender"),
//     which botocore prefers so that codes match the query protocol's.
// A body that is neither (HEAD responses, a proxy's HTML page) yields a code from the status:
// "NotFound", "Forbidden", "BadRequest", "ServiceUnavailable", "HttpError".
//
// Messages are AWS's own text; they contain no credentials (AWS never echoes a secret).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "aws/http_fetch.h"
#include "common/error.h"

namespace tw::aws {

struct AwsError {
  int http_status = 0;
  std::string code;        // "AccessDenied", "ThrottlingException", "NoSuchKey" ...
  std::string message;     // may be empty
  std::string request_id;  // may be empty

  // "Code: Message" (or just "Code").
  std::string ToString() const;
  // The tw::Error for callers: the ErrorCode from the code and status (throttling ->
  // kResourceExhausted; 5xx and transient codes -> kUnavailable; not-found codes and 404 ->
  // kNotFound; other 4xx -> kInvalidArgument) and "<context>: Code: Message" as the message.
  Error ToError(std::string_view context) const;
};

// True for the codes that mean "slow down" (botocore's throttling list, see retry.h).
bool IsThrottlingCode(std::string_view code);

// Parses an error response (any status >= 300). Never fails: the worst case is a status code.
AwsError ParseAwsError(const HttpResponse& response);

}  // namespace tw::aws
