// AwsJsonClient: one call of an AWS "JSON protocol" service (awsJson1_0: SQS, DynamoDB):
// POST / with `X-Amz-Target: <prefix>.<Operation>`, `Content-Type: application/x-amz-json-1.0`
// and a JSON body, signed with SigV4, retried with the SDKs' standard mode (retry.h).
//
// The request body is built by the caller (JsonText below escapes strings); the answer's body is
// returned as text for the caller to parse. An error response becomes a tw::Error through
// AwsError::ToError ("SQS ReceiveMessage: AWS.SimpleQueueService.NonExistentQueue: ..."), with
// the AWS code also returned in `aws_code` so that callers can act on it (DynamoDB's
// ConditionalCheckFailedException is an answer, not a failure).
//
// Credentials come from a CredentialsFn (usually CredentialChain::Get) at each attempt, so
// refreshed credentials are picked up. Secrets never appear in messages.
//
// Thread-safety: Call may be used from several threads at once if the HttpFetch and the
// CredentialsFn allow it (the libcurl adapter and CredentialChain do); the retry quota is
// shared and thread-safe. The clock is borrowed and must outlive the client.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.h"
#include "aws/endpoints.h"
#include "aws/http_fetch.h"
#include "aws/retry.h"
#include "common/clock.h"
#include "common/error.h"

namespace tw::aws {

// The same alias as s3_client.h: where a client gets its credentials on every request.
using CredentialsFn = std::function<Result<Credentials>()>;

// The outcome of one call: the 200 body, or the AWS error.
struct JsonCallResult {
  int http_status = 0;
  std::string body;                       // the response body (200) or the error body
  std::string aws_code;                   // empty on success: "ConditionalCheckFailedException" ...
  Error error{ErrorCode::kInternal, ""};  // meaningful when !ok()
  bool ok() const { return aws_code.empty() && http_status == 200; }
};

struct JsonClientOptions {
  std::string service_label;  // "SQS", "DynamoDB": the prefix of error messages
  std::string signing_name;   // "sqs", "dynamodb"
  std::string target_prefix;  // "AmazonSQS", "DynamoDB_20120810"
  // Retries (wait, random01 required). max_attempts 1 disables retrying. Without a quota the
  // client makes its own (one per client, as the SDKs do).
  RetryOptions retry;
};

class AwsJsonClient {
 public:
  AwsJsonClient(HttpFetch fetch, Endpoint endpoint, CredentialsFn credentials, const Clock& clock,
                JsonClientOptions options);

  // Calls `operation` with `body` (a JSON object). `timeout`: the request's total timeout (zero:
  // the HttpFetch's default); long polls pass more than their wait. `cancel`: see
  // HttpRequest::cancel (a cancelled call fails with kUnavailable, "...: cancelled", and is not
  // retried). Fails (Result error) only when no answer came after the retries (kUnavailable), the
  // call was cancelled, or credentials/signing failed; an AWS error answer is a JsonCallResult with
  // aws_code set.
  [[nodiscard]] Result<JsonCallResult> Call(
      std::string_view operation, const std::string& body,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
      const std::atomic<bool>* cancel = nullptr);

  // Call, then turns any AWS error answer into the Result's error.
  [[nodiscard]] Result<std::string> CallOk(
      std::string_view operation, const std::string& body,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
      const std::atomic<bool>* cancel = nullptr);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  HttpFetch fetch_;
  Endpoint endpoint_;
  CredentialsFn credentials_;
  const Clock& clock_;
  JsonClientOptions options_;
  std::unique_ptr<RetryQuota> own_quota_;  // when options.retry.quota is null
};

// Retry options for production: waits with std::this_thread::sleep_for (bounded by
// kMaxBackoff) and a thread-safe random source; `quota` may be null.
RetryOptions DefaultRetryOptions(RetryQuota* quota);

// `s` as a JSON string literal, quotes included (common/strings.h escaping).
std::string JsonText(std::string_view s);

}  // namespace tw::aws
