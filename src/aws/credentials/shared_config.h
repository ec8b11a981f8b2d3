// SharedConfig: the AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials).
//
// Format, as the SDKs read it (AWS SDKs and Tools Reference Guide, "Shared config and credentials
// files"): INI sections; in the config file a profile is "[profile NAME]" or "[default]" (other
// sections such as "[sso-session x]" or "[services x]" are ignored here); in the credentials
// file it is "[NAME]". Lines starting with '#' or ';' are comments. A key with an empty value
// followed by indented "key = value" lines is a sub-section, stored as "parent.key" (e.g.
// "s3.addressing_style"). Where both files set a key for one profile, the credentials file wins.
//
// File locations: AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and
// ~/.aws/credentials ($HOME). A missing file is empty, not an error.
//
// Thread-safety: immutable value after Load/Parse.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "aws/environment.h"
#include "common/error.h"

namespace tw::aws {

using ProfileSettings = std::map<std::string, std::string, std::less<>>;

class SharedConfig {
 public:
  // Reads both files. kIo when a file exists but cannot be read; kParse (with "file:line") on a
  // line that is neither a section, a key = value, a comment nor blank.
  [[nodiscard]] static Result<SharedConfig> Load(const Environment& env);
  // Parses file contents; `config_name`/`credentials_name` only label diagnostics.
  [[nodiscard]] static Result<SharedConfig> Parse(
      std::string_view config_text, std::string_view credentials_text,
      std::string_view config_name = "config", std::string_view credentials_name = "credentials");

  // The merged settings of `profile`, or nullptr when neither file has it.
  const ProfileSettings* Find(std::string_view profile) const;

  // AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default".
  static std::string SelectedProfile(const Environment& env);
  // True when the profile was chosen by a variable rather than defaulted.
  static bool ProfileExplicit(const Environment& env);

 private:
  std::map<std::string, ProfileSettings, std::less<>> profiles_;
};

}  // namespace tw::aws
