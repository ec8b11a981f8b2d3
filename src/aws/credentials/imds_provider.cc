#include "aws/credentials/imds_provider.h"

#include <simdjson.h>

#include <chrono>

#include "aws/credentials/json_credentials.h"

namespace tw::aws {
namespace {
constexpr std::string_view kDefaultEndpoint = "http://169.254.169.254";
constexpr std::string_view kCredentialsPath = "/latest/meta-data/iam/security-credentials/";
}  // namespace

Result<Credentials> ImdsProvider::Fetch() {
  if (env_.IsTrue("AWS_EC2_METADATA_DISABLED")) {
    return Fail(ErrorCode::kNotFound, "IMDS is disabled (AWS_EC2_METADATA_DISABLED)");
  }
  std::string endpoint = env_.GetOr("AWS_EC2_METADATA_SERVICE_ENDPOINT", kDefaultEndpoint);
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();

  HttpRequest token_request;
  token_request.method = "PUT";
  token_request.url = endpoint + "/latest/api/token";
  token_request.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", "21600");
  token_request.timeout = std::chrono::seconds(1);
  auto token = fetch_(token_request);
  if (!token) {
    return Fail(ErrorCode::kNotFound, "imds: no instance metadata service at " + endpoint);
  }
  if (token->status != 200 || token->body.empty()) {
    return Fail(ErrorCode::kUnavailable,
                "imds: token request returned HTTP " + std::to_string(token->status));
  }
  if (token->body.find_first_of("\r\n") != std::string::npos) {
    return Fail(ErrorCode::kParse, "imds: the session token has a line break");
  }

  HttpRequest role_request;
  role_request.url = endpoint + std::string(kCredentialsPath);
  role_request.headers.emplace_back("X-aws-ec2-metadata-token", token->body);
  role_request.timeout = std::chrono::seconds(1);
  auto role = fetch_(role_request);
  if (!role) return Fail(ErrorCode::kUnavailable, "imds: " + role.error().message);
  if (role->status == 404) {
    return Fail(ErrorCode::kNotFound, "imds: no IAM role is attached to this instance");
  }
  if (role->status != 200) {
    return Fail(ErrorCode::kUnavailable,
                "imds: role request returned HTTP " + std::to_string(role->status));
  }
  std::string role_name = role->body.substr(0, role->body.find_first_of("\r\n"));
  if (role_name.empty()) return Fail(ErrorCode::kParse, "imds: empty role name");

  HttpRequest creds_request = role_request;
  creds_request.url += role_name;
  auto answer = fetch_(creds_request);
  if (!answer) return Fail(ErrorCode::kUnavailable, "imds: " + answer.error().message);
  if (answer->status != 200) {
    return Fail(ErrorCode::kUnavailable, "imds: credentials request for role " + role_name +
                                             " returned HTTP " + std::to_string(answer->status));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view code;
  if (parser.parse(answer->body).get(doc) == simdjson::SUCCESS &&
      doc["Code"].get(code) == simdjson::SUCCESS && code != "Success") {
    return Fail(ErrorCode::kUnavailable,
                "imds: role " + role_name + " credentials status is " + std::string(code));
  }
  auto creds = ParseJsonCredentials(answer->body, "Token", /*expiration_required=*/true,
                                    "imds role " + role_name);
  if (!creds) return creds;
  creds->source = "imds";
  return creds;
}

}  // namespace tw::aws
