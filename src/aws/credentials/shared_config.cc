#include "aws/credentials/shared_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace tw::aws {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

// Parses one file into `profiles`. `is_config` selects the config file's section naming.
Result<void> ParseFile(std::string_view text, std::string_view name, bool is_config,
                       std::map<std::string, ProfileSettings, std::less<>>& profiles) {
  ProfileSettings* current = nullptr;  // nullptr: outside a profile (or in an ignored section)
  bool in_ignored_section = false;
  std::string parent;  // the key of an open sub-section
  size_t line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    ++line_no;
    std::string line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    if (line[0] == '[') {
      parent.clear();
      if (line.back() != ']') {
        return Fail(ErrorCode::kParse,
                    std::string(name) + ":" + std::to_string(line_no) + ": unterminated section");
      }
      std::string section = Trim(std::string_view(line).substr(1, line.size() - 2));
      std::string profile;
      if (!is_config) {
        profile = section;
      } else if (section == "default") {
        profile = "default";
      } else if (section.rfind("profile ", 0) == 0 || section.rfind("profile\t", 0) == 0) {
        profile = Trim(std::string_view(section).substr(8));
      }
      in_ignored_section = profile.empty();
      current = in_ignored_section ? nullptr : &profiles[profile];
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Fail(ErrorCode::kParse, std::string(name) + ":" + std::to_string(line_no) +
                                         ": expected 'key = value' or '[section]'");
    }
    if (in_ignored_section) continue;
    if (current == nullptr) {
      return Fail(ErrorCode::kParse, std::string(name) + ":" + std::to_string(line_no) +
                                         ": setting outside of a [section]");
    }
    std::string key = Trim(std::string_view(line).substr(0, eq));
    std::string value = Trim(std::string_view(line).substr(eq + 1));
    if (indented && !parent.empty()) {
      (*current)[parent + "." + key] = value;
      continue;
    }
    parent = value.empty() ? key : "";
    (*current)[key] = value;
  }
  return Ok();
}

Result<std::string> ReadIfExists(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, "cannot read AWS shared file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Result<SharedConfig> SharedConfig::Parse(std::string_view config_text,
                                         std::string_view credentials_text,
                                         std::string_view config_name,
                                         std::string_view credentials_name) {
  SharedConfig out;
  if (auto ok = ParseFile(config_text, config_name, true, out.profiles_); !ok) {
    return tl::unexpected(ok.error());
  }
  std::map<std::string, ProfileSettings, std::less<>> creds;
  if (auto ok = ParseFile(credentials_text, credentials_name, false, creds); !ok) {
    return tl::unexpected(ok.error());
  }
  for (auto& [profile, settings] : creds) {
    for (auto& [key, value] : settings) out.profiles_[profile][key] = value;
  }
  return out;
}

Result<SharedConfig> SharedConfig::Load(const Environment& env) {
  std::string home = env.GetOr("HOME", "");
  std::string config_path = env.GetOr("AWS_CONFIG_FILE", home + "/.aws/config");
  std::string creds_path = env.GetOr("AWS_SHARED_CREDENTIALS_FILE", home + "/.aws/credentials");
  auto config = ReadIfExists(config_path);
  if (!config) return tl::unexpected(config.error());
  auto creds = ReadIfExists(creds_path);
  if (!creds) return tl::unexpected(creds.error());
  return Parse(*config, *creds, config_path, creds_path);
}

const ProfileSettings* SharedConfig::Find(std::string_view profile) const {
  auto it = profiles_.find(profile);
  return it == profiles_.end() ? nullptr : &it->second;
}

std::string SharedConfig::SelectedProfile(const Environment& env) {
  if (auto p = env.Get("AWS_PROFILE")) return *p;
  if (auto p = env.Get("AWS_DEFAULT_PROFILE")) return *p;
  return "default";
}

bool SharedConfig::ProfileExplicit(const Environment& env) {
  return env.Get("AWS_PROFILE").has_value() || env.Get("AWS_DEFAULT_PROFILE").has_value();
}

}  // namespace tw::aws
