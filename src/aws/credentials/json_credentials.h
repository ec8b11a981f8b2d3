// Parsing of the JSON credential documents served by the container endpoint, IMDS and
// credential_process. Internal to credentials/.
//
// Error messages name `context` and the missing or bad field, never a value.
#pragma once

#include <string_view>

#include "aws/credentials/credentials.h"

namespace tw::aws {

// Reads AccessKeyId, SecretAccessKey, `token_field` (optional) and Expiration (optional unless
// `expiration_required`) from a JSON object. kParse on anything else.
[[nodiscard]] Result<Credentials> ParseJsonCredentials(std::string_view json,
                                                       std::string_view token_field,
                                                       bool expiration_required,
                                                       std::string_view context);

}  // namespace tw::aws
