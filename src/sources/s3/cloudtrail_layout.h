// CloudTrail's S3 key layout, and `s3://bucket/prefix` URIs.
//
// CloudTrail writes log files at
//   [prefix/]AWSLogs/[o-xxxxxxxxxx/]<account>/CloudTrail/<region>/YYYY/MM/DD/
//       <account>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique>.json.gz
// and digest files under .../<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/ (CloudTrail user
// guide, "Finding your CloudTrail log files" and "CloudTrail digest file structure"). The date in
// the key is the delivery date: a file can hold events from before it (late delivery), never
// after it.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"

namespace tw::sources {

struct S3Location {
  std::string bucket;
  std::string prefix;  // may be empty
};

// True when `text` starts with "s3://".
bool IsS3Uri(std::string_view text);
// Parses "s3://bucket[/prefix]". kInvalidArgument for an empty or malformed bucket name.
[[nodiscard]] Result<S3Location> ParseS3Uri(std::string_view text);

// "123456789012": twelve digits.
bool IsAccountId(std::string_view s);
// "o-" followed by lower-case letters or digits. AWS Organizations documents 10 to 32 of them
// (^o-[a-z0-9]{10,32}$), but published CloudTrail samples use shorter ids ("o-1234abcde"), and a
// folder of digits alone is an account, so any length is taken.
bool IsOrganizationId(std::string_view s);
// True for a key under a CloudTrail-Digest/ folder or named "*_CloudTrail-Digest_*".
bool IsDigestKey(std::string_view key);

// "YYYY/MM/DD/" of `day`.
std::string DayPath(std::chrono::sys_days day);

// The delivery date of a key in the layout (the YYYY/MM/DD/ after the region); nullopt when the
// key is not in the layout.
std::optional<std::chrono::sys_days> KeyDay(std::string_view key);

// True when one of `a`, `b` is a prefix of the other: a listed folder `a` is worth descending
// into when the user's prefix `b` lies below it, or it lies below the user's prefix.
bool PrefixesOverlap(std::string_view a, std::string_view b);

}  // namespace tw::sources
