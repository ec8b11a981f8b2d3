#include "aws/credentials/container_provider.h"

#include <arpa/inet.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "aws/credentials/json_credentials.h"
#include "aws/url.h"

namespace tw::aws {
namespace {

constexpr std::string_view kEcsHost = "http://169.254.170.2";

bool IsAllowedHttpHost(const std::string& host) {
  if (host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23") return true;
  unsigned char v4[4];
  if (inet_pton(AF_INET, host.c_str(), v4) == 1) return v4[0] == 127;
  unsigned char v6[16];
  if (inet_pton(AF_INET6, host.c_str(), v6) == 1) {
    static const unsigned char kLoopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char kEks[16] = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0,
                                           0,    0,    0,    0,    0, 0, 0, 0x23};
    return std::equal(v6, v6 + 16, kLoopback) || std::equal(v6, v6 + 16, kEks);
  }
  return false;
}

}  // namespace

Result<Credentials> ContainerProvider::Fetch() {
  std::string url;
  if (auto relative = env_.Get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = std::string(kEcsHost) + (relative->front() == '/' ? "" : "/") + *relative;
  } else if (auto full = env_.Get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    auto parts = ParseUrl(*full);
    if (!parts) {
      return Fail(ErrorCode::kInvalidArgument,
                  "container: AWS_CONTAINER_CREDENTIALS_FULL_URI: " + parts.error().message);
    }
    if (parts->scheme == "http" && !IsAllowedHttpHost(parts->host)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "container: AWS_CONTAINER_CREDENTIALS_FULL_URI host " + parts->host +
                      " is not loopback or an ECS/EKS agent address (use https)");
    }
    url = *full;
  } else {
    return Fail(ErrorCode::kNotFound, "AWS_CONTAINER_CREDENTIALS_*_URI is not set");
  }

  HttpRequest request;
  request.url = url;
  request.timeout = std::chrono::seconds(2);
  std::optional<std::string> token;
  if (auto token_file = env_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    std::ifstream in(*token_file, std::ios::binary);
    if (!in) {
      return Fail(ErrorCode::kIo,
                  "container: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + *token_file);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  } else {
    token = env_.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  }
  if (token) {
    if (token->find_first_of("\r\n") != std::string::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  "container: the authorization token has a line break");
    }
    request.headers.emplace_back("Authorization", *token);
  }
  auto response = fetch_(request);
  if (!response) {
    return Fail(ErrorCode::kUnavailable,
                "container: no answer from the credentials endpoint: " + response.error().message);
  }
  if (response->status != 200) {
    return Fail(ErrorCode::kUnavailable, "container: the credentials endpoint returned HTTP " +
                                             std::to_string(response->status));
  }
  auto creds =
      ParseJsonCredentials(response->body, "Token", /*expiration_required=*/false, "container");
  if (!creds) return creds;
  creds->source = "container";
  return creds;
}

}  // namespace tw::aws
