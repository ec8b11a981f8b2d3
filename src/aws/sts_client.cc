#include "aws/sts_client.h"

#include <chrono>
#include <pugixml.hpp>

#include "aws/aws_error.h"
#include "aws/sigv4/sigv4_signer.h"
#include "aws/url.h"

namespace tw::aws {
namespace {

void AddParam(std::string& form, std::string_view name, std::string_view value) {
  if (!form.empty()) form += "&";
  form += UriEncode(name) + "=" + UriEncode(value);
}

// Reads <Action>Response/<Action>Result/Credentials.
Result<Credentials> ParseCredentials(std::string_view action, std::string_view body) {
  pugi::xml_document doc;
  std::string context = "STS " + std::string(action);
  if (!doc.load_buffer(body.data(), body.size())) {
    return Fail(ErrorCode::kParse, context + ": response is not XML");
  }
  std::string response = std::string(action) + "Response";
  std::string result = std::string(action) + "Result";
  pugi::xml_node node = doc.child(response.c_str()).child(result.c_str()).child("Credentials");
  if (!node) return Fail(ErrorCode::kParse, context + ": response has no Credentials");
  Credentials creds;
  creds.access_key_id = node.child_value("AccessKeyId");
  creds.secret_access_key = node.child_value("SecretAccessKey");
  creds.session_token = node.child_value("SessionToken");
  if (creds.access_key_id.empty() || creds.secret_access_key.empty() ||
      creds.session_token.empty()) {
    return Fail(ErrorCode::kParse,
                context + ": Credentials lack AccessKeyId, SecretAccessKey or SessionToken");
  }
  auto expiration = ParseIso8601(node.child_value("Expiration"));
  if (!expiration) {
    return Fail(ErrorCode::kParse, context + ": Credentials have no valid Expiration");
  }
  creds.expiration = *expiration;
  return creds;
}

}  // namespace

std::string DefaultSessionName(const Clock& clock) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch());
  return "trailwatch-" + std::to_string(secs.count());
}

Result<std::string> StsClient::Call(std::string_view action, std::string form,
                                    const Credentials* signer) {
  std::string context = "STS " + std::string(action);
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint_.url + "/";
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = std::move(form);
  if (signer != nullptr) {
    auto signed_parts = SignRequest(
        request, *signer, SigningParams::For("sts", endpoint_.signing_region, clock_.Now()));
    if (!signed_parts) {
      return Fail(signed_parts.error().code, context + ": " + signed_parts.error().message);
    }
  }
  auto response = fetch_(request);
  if (!response) {
    return Fail(response.error().code, context + ": " + response.error().message);
  }
  if (response->status != 200) return tl::unexpected(ParseAwsError(*response).ToError(context));
  return std::move(response->body);
}

Result<Credentials> StsClient::AssumeRoleWithWebIdentity(std::string_view role_arn,
                                                         std::string_view session_name,
                                                         std::string_view token) {
  std::string form;
  AddParam(form, "Action", "AssumeRoleWithWebIdentity");
  AddParam(form, "Version", "2011-06-15");
  AddParam(form, "RoleArn", role_arn);
  AddParam(form, "RoleSessionName", session_name);
  AddParam(form, "WebIdentityToken", token);
  auto body = Call("AssumeRoleWithWebIdentity", std::move(form), nullptr);
  if (!body) return tl::unexpected(body.error());
  return ParseCredentials("AssumeRoleWithWebIdentity", *body);
}

Result<Credentials> StsClient::AssumeRole(const Credentials& source,
                                          const AssumeRoleParams& params) {
  std::string form;
  AddParam(form, "Action", "AssumeRole");
  AddParam(form, "Version", "2011-06-15");
  AddParam(form, "RoleArn", params.role_arn);
  AddParam(form, "RoleSessionName", params.session_name);
  if (!params.external_id.empty()) AddParam(form, "ExternalId", params.external_id);
  if (params.duration_seconds) {
    AddParam(form, "DurationSeconds", std::to_string(*params.duration_seconds));
  }
  auto body = Call("AssumeRole", std::move(form), &source);
  if (!body) return tl::unexpected(body.error());
  return ParseCredentials("AssumeRole", *body);
}

Result<CallerIdentity> StsClient::GetCallerIdentity(const Credentials& credentials) {
  std::string form;
  AddParam(form, "Action", "GetCallerIdentity");
  AddParam(form, "Version", "2011-06-15");
  auto body = Call("GetCallerIdentity", std::move(form), &credentials);
  if (!body) return tl::unexpected(body.error());
  pugi::xml_document doc;
  if (!doc.load_buffer(body->data(), body->size())) {
    return Fail(ErrorCode::kParse, "STS GetCallerIdentity: response is not XML");
  }
  pugi::xml_node result = doc.child("GetCallerIdentityResponse").child("GetCallerIdentityResult");
  CallerIdentity id{result.child_value("Account"), result.child_value("Arn"),
                    result.child_value("UserId")};
  if (id.account.empty() || id.arn.empty()) {
    return Fail(ErrorCode::kParse, "STS GetCallerIdentity: response lacks Account or Arn");
  }
  return id;
}

}  // namespace tw::aws
