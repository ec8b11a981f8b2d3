// Strict base64 decoding (RFC 4648 section 4, the standard alphabet with '=' padding).
//
// Used for the `awslogs.data` field of CloudWatch Logs subscription events delivered to Lambda,
// which AWS always writes in canonical form. Strict means: the length is a multiple of 4, only
// the 64 alphabet characters appear before the padding, padding is one or two '=' at the very
// end, the unused low bits of the last character are zero (RFC 4648 section 3.5), and no
// whitespace or line breaks are accepted. Anything else is rejected rather than guessed at, so a
// damaged payload is reported instead of silently decoded to garbage.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace tw::decode {

// Appends the bytes encoded by `in` to `out`. On error `out` is left as it was.
// Errors: kParse naming the offending offset and character, or the bad length.
[[nodiscard]] Result<void> Base64DecodeAppend(std::string_view in, std::string& out);

// Returns the bytes encoded by `in`. Errors as Base64DecodeAppend.
[[nodiscard]] Result<std::string> Base64Decode(std::string_view in);

}  // namespace tw::decode
