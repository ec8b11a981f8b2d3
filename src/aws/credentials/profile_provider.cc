#include "aws/credentials/profile_provider.h"

#include <algorithm>

#include "aws/credentials/process_provider.h"
#include "aws/endpoints.h"
#include "aws/sts_client.h"

namespace tw::aws {
namespace {

constexpr int kMaxRoleHops = 5;

std::string Setting(const ProfileSettings& settings, std::string_view key) {
  auto it = settings.find(key);
  return it == settings.end() ? std::string() : it->second;
}

}  // namespace

Result<Credentials> ProfileProvider::Fetch() {
  auto config = SharedConfig::Load(env_);
  if (!config) return tl::unexpected(config.error());
  std::string profile = SharedConfig::SelectedProfile(env_);
  if (config->Find(profile) == nullptr) {
    if (SharedConfig::ProfileExplicit(env_)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "profile: the profile '" + profile + "' is in neither shared file");
    }
    return Fail(ErrorCode::kNotFound, "profile: no [" + profile + "] profile");
  }
  std::vector<std::string> visited;
  return Resolve(*config, profile, 0, visited);
}

Result<Credentials> ProfileProvider::Resolve(const SharedConfig& config, const std::string& profile,
                                             int depth, std::vector<std::string>& visited) {
  const ProfileSettings* settings = config.Find(profile);
  if (settings == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "profile: source profile '" + profile + "' not found");
  }
  if (std::find(visited.begin(), visited.end(), profile) != visited.end()) {
    return Fail(ErrorCode::kInvalidArgument,
                "profile: source_profile cycle through '" + profile + "'");
  }
  visited.push_back(profile);
  std::string key = Setting(*settings, "aws_access_key_id");
  std::string secret = Setting(*settings, "aws_secret_access_key");
  std::string role_arn = Setting(*settings, "role_arn");

  if (!role_arn.empty()) {
    if (depth >= kMaxRoleHops) {
      return Fail(ErrorCode::kInvalidArgument, "profile: more than 5 role_arn hops");
    }
    std::string source = Setting(*settings, "source_profile");
    if (source.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "profile '" + profile +
                                                   "': role_arn needs source_profile "
                                                   "(credential_source is not supported)");
    }
    Result<Credentials> source_creds;
    if (source == profile) {
      // A profile may name itself as the source of its own static keys (botocore allows it).
      if (key.empty() || secret.empty()) {
        return Fail(ErrorCode::kInvalidArgument,
                    "profile '" + profile + "': source_profile is itself but it has no keys");
      }
      source_creds = Credentials{key, secret, Setting(*settings, "aws_session_token"), std::nullopt,
                                 "profile"};
    } else {
      source_creds = Resolve(config, source, depth + 1, visited);
    }
    if (!source_creds) {
      // The role is configured, so a source without credentials is a configuration error.
      ErrorCode code = source_creds.error().code == ErrorCode::kNotFound
                           ? ErrorCode::kInvalidArgument
                           : source_creds.error().code;
      return Fail(code, source_creds.error().message);
    }
    auto region = ResolveRegion(env_, settings);
    auto endpoint = ResolveEndpoint(Service::kSts, region.value_or(""), env_);
    if (!endpoint) return tl::unexpected(endpoint.error());
    AssumeRoleParams params;
    params.role_arn = role_arn;
    params.session_name = Setting(*settings, "role_session_name");
    if (params.session_name.empty()) params.session_name = DefaultSessionName(clock_);
    params.external_id = Setting(*settings, "external_id");
    if (std::string d = Setting(*settings, "duration_seconds"); !d.empty()) {
      if (d.find_first_not_of("0123456789") != std::string::npos || d.size() > 6) {
        return Fail(ErrorCode::kInvalidArgument,
                    "profile '" + profile + "': duration_seconds is not a number");
      }
      params.duration_seconds = std::stoi(d);
    }
    StsClient sts(fetch_, *endpoint, clock_);
    auto creds = sts.AssumeRole(*source_creds, params);
    if (!creds) {
      return Fail(creds.error().code,
                  "profile '" + profile + "' (" + role_arn + "): " + creds.error().message);
    }
    creds->source = "assume-role";
    return creds;
  }

  if (!key.empty() || !secret.empty()) {
    if (key.empty() || secret.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "profile '" + profile +
                      "': " + (key.empty() ? "aws_access_key_id" : "aws_secret_access_key") +
                      " is missing");
    }
    return Credentials{key, secret, Setting(*settings, "aws_session_token"), std::nullopt,
                       "profile"};
  }

  if (std::string command = Setting(*settings, "credential_process"); !command.empty()) {
    ProcessProvider process(command);
    auto creds = process.Fetch();
    if (!creds) {
      return Fail(creds.error().code, "profile '" + profile + "': " + creds.error().message);
    }
    return creds;
  }
  return Fail(ErrorCode::kNotFound, "profile '" + profile + "' has no credentials");
}

}  // namespace tw::aws
