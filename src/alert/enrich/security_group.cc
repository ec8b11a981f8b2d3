#include "alert/enrich/security_group.h"

#include <charconv>
#include <functional>

namespace tw::alert {
namespace {

using simdjson::dom::element;

std::string Str(element el, std::string_view key) {
  std::string_view v;
  if (!el.is_object() || el[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

// A port: a JSON integer or a string spelled as one. -1 when absent or malformed.
int Port(element el, std::string_view key) {
  element v;
  if (!el.is_object() || el[key].get(v) != simdjson::SUCCESS) return -1;
  int64_t n;
  if (v.get_int64().get(n) == simdjson::SUCCESS) {
    return n >= -1 && n <= 65535 ? static_cast<int>(n) : -1;
  }
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) {
    int out = -1;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && ptr == s.data() + s.size() && out >= -1 && out <= 65535) return out;
  }
  return -1;
}

// Calls fn for each item of an AWS list: {"items": [...]}, a bare array, or a single object.
void ForEachItem(element el, const std::function<void(element)>& fn) {
  simdjson::dom::array arr;
  if (el.get_array().get(arr) == simdjson::SUCCESS) {
    for (element item : arr) fn(item);
    return;
  }
  if (!el.is_object()) return;
  element items;
  if (el["items"].get(items) == simdjson::SUCCESS) {
    ForEachItem(items, fn);
    return;
  }
  if (el.get_object().value_unsafe().size() > 0) fn(el);
}

void ForEachItemOf(element parent, std::string_view key, const std::function<void(element)>& fn) {
  element child;
  if (parent.is_object() && parent[key].get(child) == simdjson::SUCCESS) ForEachItem(child, fn);
}

std::string GroupOf(element params) {
  std::string id = Str(params, "groupId");
  const std::string name = Str(params, "groupName");
  if (!id.empty() && !name.empty()) return id + " (" + name + ")";
  return !id.empty() ? id : name;
}

void DecodePermissions(element params, const SecurityGroupChange& base,
                       std::vector<SecurityGroupChange>& out) {
  const size_t before = out.size();
  ForEachItemOf(params, "ipPermissions", [&](element perm) {
    SecurityGroupChange rule = base;
    rule.protocol = Str(perm, "ipProtocol");
    rule.from_port = Port(perm, "fromPort");
    rule.to_port = Port(perm, "toPort");
    const size_t first = out.size();
    auto add = [&](std::string peer, element item) {
      SecurityGroupChange c = rule;
      c.peer = std::move(peer);
      c.description = Str(item, "description");
      out.push_back(std::move(c));
    };
    ForEachItemOf(perm, "ipRanges", [&](element r) { add(Str(r, "cidrIp"), r); });
    ForEachItemOf(perm, "ipv6Ranges", [&](element r) { add(Str(r, "cidrIpv6"), r); });
    ForEachItemOf(perm, "prefixListIds", [&](element r) { add(Str(r, "prefixListId"), r); });
    ForEachItemOf(perm, "groups", [&](element r) {
      std::string peer = Str(r, "groupId");
      if (peer.empty()) peer = Str(r, "groupName");
      add(std::move(peer), r);
    });
    if (out.size() == first) out.push_back(std::move(rule));  // a permission without peers
  });
  if (out.size() != before) return;
  // The legacy flat form.
  const std::string cidr = Str(params, "cidrIp");
  const std::string source_group = Str(params, "sourceSecurityGroupName");
  const std::string protocol = Str(params, "ipProtocol");
  if (!cidr.empty() || !source_group.empty() || !protocol.empty()) {
    SecurityGroupChange c = base;
    c.protocol = protocol;
    c.from_port = Port(params, "fromPort");
    c.to_port = Port(params, "toPort");
    c.peer = !cidr.empty() ? cidr : source_group;
    out.push_back(std::move(c));
    return;
  }
  // Revoke by rule id.
  ForEachItemOf(params, "securityGroupRuleIds", [&](element r) {
    SecurityGroupChange c = base;
    std::string_view id;
    if (r.get_string().get(id) == simdjson::SUCCESS) {
      c.description = "rule " + std::string(id);
    } else {
      c.description = "rule " + Str(r, "securityGroupRuleId");
    }
    out.push_back(std::move(c));
  });
}

void DecodeModify(element params, std::vector<SecurityGroupChange>& out) {
  element req;
  if (params["ModifySecurityGroupRulesRequest"].get(req) != simdjson::SUCCESS || !req.is_object()) {
    return;
  }
  const std::string group = Str(req, "GroupId");
  ForEachItemOf(req, "SecurityGroupRule", [&](element wrapper) {
    SecurityGroupChange c;
    c.action = "modified";
    c.group = group;
    const std::string rule_id = Str(wrapper, "SecurityGroupRuleId");
    if (!rule_id.empty()) c.group += (c.group.empty() ? "rule " : " rule ") + rule_id;
    element rule;
    if (wrapper["SecurityGroupRule"].get(rule) == simdjson::SUCCESS && rule.is_object()) {
      c.protocol = Str(rule, "IpProtocol");
      c.from_port = Port(rule, "FromPort");
      c.to_port = Port(rule, "ToPort");
      for (const char* key : {"CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupId"}) {
        c.peer = Str(rule, key);
        if (!c.peer.empty()) break;
      }
      c.description = Str(rule, "Description");
    }
    out.push_back(std::move(c));
  });
}

}  // namespace

std::vector<SecurityGroupChange> DecodeSecurityGroupChanges(element record) {
  std::vector<SecurityGroupChange> out;
  std::string_view name;
  if (record["eventName"].get_string().get(name) != simdjson::SUCCESS) return out;
  element params;
  if (record["requestParameters"].get(params) != simdjson::SUCCESS || !params.is_object()) {
    return out;
  }
  SecurityGroupChange base;
  if (name == "AuthorizeSecurityGroupIngress" || name == "AuthorizeSecurityGroupEgress" ||
      name == "RevokeSecurityGroupIngress" || name == "RevokeSecurityGroupEgress") {
    base.action = name[0] == 'A' ? "added" : "removed";
    base.direction = name.ends_with("Ingress") ? "ingress" : "egress";
    base.group = GroupOf(params);
    DecodePermissions(params, base, out);
  } else if (name == "ModifySecurityGroupRules") {
    DecodeModify(params, out);
  } else if (name == "CreateSecurityGroup") {
    base.action = "group created";
    std::string id;
    element response;
    if (record["responseElements"].get(response) == simdjson::SUCCESS)
      id = Str(response, "groupId");
    const std::string group_name = Str(params, "groupName");
    base.group = !id.empty() && !group_name.empty() ? id + " (" + group_name + ")"
                 : !id.empty()                      ? id
                                                    : group_name;
    base.description = Str(params, "groupDescription");
    base.vpc = Str(params, "vpcId");
    out.push_back(std::move(base));
  } else if (name == "DeleteSecurityGroup") {
    base.action = "group deleted";
    base.group = GroupOf(params);
    out.push_back(std::move(base));
  }
  return out;
}

std::string DescribePorts(const SecurityGroupChange& c) {
  if (c.protocol == "-1") return "all traffic";
  if (c.protocol.empty()) return "";
  if (c.from_port < 0 && c.to_port < 0) return c.protocol;
  if (c.from_port == c.to_port || c.to_port < 0) {
    return c.protocol + " " + std::to_string(c.from_port);
  }
  if (c.from_port == 0 && c.to_port == 65535) return c.protocol + " all ports";
  return c.protocol + " " + std::to_string(c.from_port) + "-" + std::to_string(c.to_port);
}

}  // namespace tw::alert
