#include "alert/enrich/actor.h"

namespace tw::alert {
namespace {

std::string Str(simdjson::dom::element el, std::string_view key) {
  std::string_view v;
  if (el[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

// "arn:aws:sts::123:assumed-role/Role/session" -> {"Role", "session"}; "arn:...:user/path/bob"
// -> last segment.
std::string_view ArnResource(std::string_view arn) {
  size_t colons = 0;
  for (size_t i = 0; i < arn.size(); ++i) {
    if (arn[i] == ':' && ++colons == 5) return arn.substr(i + 1);
  }
  return {};
}

}  // namespace

bool LooksLikeEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = s.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"') {
      return false;
    }
  }
  return true;
}

ReadableActor DescribeActor(simdjson::dom::element record) {
  ReadableActor out;
  simdjson::dom::element id;
  if (record["userIdentity"].get(id) != simdjson::SUCCESS || !id.is_object()) return out;
  const std::string type = Str(id, "type");
  const std::string invoked_by = Str(id, "invokedBy");
  const std::string arn = Str(id, "arn");
  const std::string user_name = Str(id, "userName");

  if (type == "AWSService") {
    out.name = !invoked_by.empty() ? invoked_by : Str(id, "principalId");
    return out;
  }
  if (type == "Root") {
    out.name = "root";
  } else if (type == "IAMUser") {
    out.name = !user_name.empty()
                   ? user_name
                   : std::string(ArnResource(arn).substr(ArnResource(arn).rfind('/') + 1));
  } else if (type == "AssumedRole") {
    // The assumed-role ARN names both: assumed-role/<role>/<session>. It identifies the session
    // itself, so it wins over sessionContext.sessionIssuer.userName, which is only the fallback.
    std::string role, session;
    const std::string_view res = ArnResource(arn);
    if (res.substr(0, 13) == "assumed-role/") {
      const std::string_view rest = res.substr(13);
      const size_t slash = rest.find('/');
      role = std::string(rest.substr(0, slash));
      if (slash != std::string_view::npos) session = std::string(rest.substr(slash + 1));
    }
    simdjson::dom::element issuer;
    if (role.empty() && id["sessionContext"]["sessionIssuer"].get(issuer) == simdjson::SUCCESS) {
      role = Str(issuer, "userName");
    }
    if (LooksLikeEmail(session)) out.email = session;
    if (role.rfind("AWSReservedSSO_", 0) == 0 && !out.email.empty()) {
      out.name = out.email;
    } else if (!role.empty() && !session.empty()) {
      out.name = role + "/" + session;
    } else {
      out.name = !role.empty() ? role : Str(id, "principalId");
    }
  } else if (type == "FederatedUser") {
    const std::string_view res = ArnResource(arn);  // federated-user/name
    const size_t slash = res.find('/');
    out.name = slash != std::string_view::npos ? std::string(res.substr(slash + 1))
                                               : Str(id, "principalId");
    if (LooksLikeEmail(out.name)) out.email = out.name;
  } else if (type == "AWSAccount") {
    const std::string account = Str(id, "accountId");
    out.name = account.empty() ? Str(id, "principalId") : "account " + account;
  } else {
    out.name = !user_name.empty()                ? user_name
               : !Str(id, "principalId").empty() ? Str(id, "principalId")
                                                 : arn;
  }
  if (!invoked_by.empty()) {
    out.name = out.name.empty() ? invoked_by : out.name + " via " + invoked_by;
  }
  return out;
}

}  // namespace tw::alert
