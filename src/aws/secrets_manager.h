// GetSecretString: AWS Secrets Manager's GetSecretValue, the one call the Lambda runtime makes to
// read a secret (a Slack webhook URL, a token) named by ARN instead of given in plain text.
//
// The request is the JSON 1.1 protocol (AWS Secrets Manager API Reference, "GetSecretValue";
// botocore's secretsmanager model: protocol json, jsonVersion 1.1, targetPrefix secretsmanager):
//   POST / on the secretsmanager endpoint, X-Amz-Target: secretsmanager.GetSecretValue,
//   Content-Type: application/x-amz-json-1.1, body {"SecretId":"<arn or name>"}, SigV4 with the
//   signing name "secretsmanager".
// The answer's SecretString is returned as is. A secret stored only as SecretBinary is refused
// (kUnsupported). No retry here: the caller runs once, at start-up, and fails loudly.
//
// Errors: the fetch's kUnavailable when no answer came; AWS errors through AwsError::ToError
// (ResourceNotFoundException -> kNotFound, AccessDeniedException -> kInvalidArgument, throttling
// -> kResourceExhausted, 5xx -> kUnavailable), "Secrets Manager GetSecretValue: Code: Message";
// kParse for a 200 that is not the documented JSON. Messages never carry the secret's value.
//
// Thread-safety: a pure function over its arguments (the fetch must allow the call).
#pragma once

#include <string>
#include <string_view>

#include "aws/credentials/credentials.h"
#include "aws/endpoints.h"
#include "aws/http_fetch.h"
#include "common/clock.h"
#include "common/error.h"

namespace tw::aws {

[[nodiscard]] Result<std::string> GetSecretString(const HttpFetch& fetch, const Endpoint& endpoint,
                                                  const Credentials& credentials,
                                                  std::string_view secret_id, const Clock& clock);

}  // namespace tw::aws
