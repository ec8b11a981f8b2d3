// Security-group rule decoding: what a security-group event added, removed or changed, from its
// requestParameters (and responseElements for the id of a created group).
//
// Shapes (EC2 API reference and real CloudTrail records in tests/data/corpus/real):
// - AuthorizeSecurityGroupIngress/Egress (action "added"), RevokeSecurityGroupIngress/Egress
//   ("removed"): requestParameters.groupId|groupName and ipPermissions.items[] with ipProtocol
//   ("-1" = all), fromPort, toPort (numbers, or numeric strings in some producers) and the peers
//   ipRanges.items[].cidrIp, ipv6Ranges.items[].cidrIpv6, prefixListIds.items[].prefixListId,
//   groups.items[].groupId|groupName, each with an optional description. One change per peer.
//   The legacy flat form (cidrIp, ipProtocol, fromPort, toPort, sourceSecurityGroupName at the
//   top of requestParameters) and Revoke by securityGroupRuleIds.items[] are decoded too.
// - ModifySecurityGroupRules ("modified"): requestParameters.ModifySecurityGroupRulesRequest
//   {GroupId, SecurityGroupRule: {SecurityGroupRuleId, SecurityGroupRule: {IpProtocol, FromPort,
//   ToPort, CidrIpv4|CidrIpv6|PrefixListId|ReferencedGroupId, Description}}}; SecurityGroupRule
//   may also be a list. The request does not say whether the rule is ingress or egress, so
//   direction is left empty.
// - CreateSecurityGroup ("group created"): groupName, groupDescription, vpcId, and
//   responseElements.groupId. DeleteSecurityGroup ("group deleted"): groupId or groupName.
// Any other event yields nothing. Null-safe: a missing or null part (responseElements is null
// on errors) is skipped, never an error. Pure function over a parsed record.
#pragma once

#include <simdjson.h>

#include <vector>

#include "alert/alert.h"

namespace tw::alert {

std::vector<SecurityGroupChange> DecodeSecurityGroupChanges(simdjson::dom::element record);

// "tcp 22", "tcp 1000-2000", "all traffic", "icmp": for display.
std::string DescribePorts(const SecurityGroupChange& change);

}  // namespace tw::alert
