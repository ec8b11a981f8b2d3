#include "aws/credentials/json_credentials.h"

#include <simdjson.h>

#include <string>

namespace tw::aws {

Result<Credentials> ParseJsonCredentials(std::string_view json, std::string_view token_field,
                                         bool expiration_required, std::string_view context) {
  std::string ctx(context);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(object) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, ctx + ": credentials are not a JSON object");
  }
  auto field = [&](std::string_view name, std::string& out, bool required) -> Result<void> {
    simdjson::dom::element value;
    if (object.at_key(name).get(value) != simdjson::SUCCESS) {
      if (required) return Fail(ErrorCode::kParse, ctx + ": credentials lack " + std::string(name));
      return Ok();
    }
    std::string_view s;
    if (value.get_string().get(s) != simdjson::SUCCESS) {
      return Fail(ErrorCode::kParse, ctx + ": " + std::string(name) + " is not a string");
    }
    out = std::string(s);
    return Ok();
  };
  Credentials creds;
  std::string expiration;
  for (auto ok : {field("AccessKeyId", creds.access_key_id, true),
                  field("SecretAccessKey", creds.secret_access_key, true),
                  field(token_field, creds.session_token, false),
                  field("Expiration", expiration, expiration_required)}) {
    if (!ok) return tl::unexpected(ok.error());
  }
  if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
    return Fail(ErrorCode::kParse, ctx + ": AccessKeyId or SecretAccessKey is empty");
  }
  if (!expiration.empty()) {
    auto t = ParseIso8601(expiration);
    if (!t) return Fail(ErrorCode::kParse, ctx + ": Expiration is not an ISO-8601 time");
    creds.expiration = *t;
  }
  return creds;
}

}  // namespace tw::aws
