#include "alert/enrich/security_group.h"

#include <gtest/gtest.h>

#include "alert/testing/corpus.h"

namespace tw::alert {
namespace {

using testing::CorpusLine;

std::vector<SecurityGroupChange> Decode(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json.substr(0, 80);
  return DecodeSecurityGroupChanges(root);
}

TEST(DecodeSecurityGroupChanges, AuthorizeIngressFromTheConsole) {
  // cloudconsolecartographer line 8215: SSH from anywhere, added by the launch wizard.
  const auto c = Decode(CorpusLine("cloudconsolecartographer", 8215));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].action, "added");
  EXPECT_EQ(c[0].direction, "ingress");
  EXPECT_EQ(c[0].group, "sg-db0c0ffee596f77eb");
  EXPECT_EQ(c[0].protocol, "tcp");
  EXPECT_EQ(c[0].from_port, 22);
  EXPECT_EQ(c[0].to_port, 22);
  EXPECT_EQ(c[0].peer, "0.0.0.0/0");
  EXPECT_EQ(DescribePorts(c[0]), "tcp 22");
}

TEST(DecodeSecurityGroupChanges, AllTrafficIPv4AndIPv6WithDescriptions) {
  // streamalert line 49: protocol -1 to 0.0.0.0/0 and ::/0 (placeholders "..." in the source).
  const auto c = Decode(CorpusLine("streamalert", 49));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].protocol, "-1");
  EXPECT_EQ(c[0].from_port, -1);
  EXPECT_EQ(c[0].peer, "0.0.0.0/0");
  EXPECT_EQ(c[0].description, "...");
  EXPECT_EQ(c[1].peer, "::/0");
  EXPECT_EQ(DescribePorts(c[1]), "all traffic");
}

TEST(DecodeSecurityGroupChanges, EgressWithDescriptionAndStringPorts) {
  // panther line 97: egress to the internet with a long description.
  auto c = Decode(CorpusLine("panther", 97));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].direction, "egress");
  EXPECT_EQ(c[0].group, "sg-03eee825d6bb78f54");
  EXPECT_EQ(c[0].description,
            "Allow egress to the internet. Required for now until we land ECS/ECR endpoints in "
            "the VPC");
  // panther line 95: ports written as strings ("443").
  c = Decode(CorpusLine("panther", 95));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].from_port, 443);
  EXPECT_EQ(c[0].peer, "0.0.0.0/16");
}

TEST(DecodeSecurityGroupChanges, LegacyFlatForm) {
  // stratus-red-team line 266: cidrIp/fromPort/toPort at the top of requestParameters.
  const auto c = Decode(CorpusLine("stratus-red-team", 266));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].peer, "208.236.235.254/0");
  EXPECT_EQ(c[0].from_port, 22);
  EXPECT_EQ(c[0].group, "sg-003dc7f1f1c686164");
}

TEST(DecodeSecurityGroupChanges, CreateAndDelete) {
  // plaso line 6: CreateSecurityGroup, group id from responseElements.
  auto c = Decode(CorpusLine("plaso", 6));
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].action, "group created");
  EXPECT_EQ(c[0].group, "sg-01234567890123456 (no-access)");
  EXPECT_EQ(c[0].description, "Nothing open");
  EXPECT_EQ(c[0].vpc, "vpc-0123456789012345");
  // A failed create has responseElements null: the name alone.
  c = Decode(R"({"eventName":"CreateSecurityGroup","requestParameters":{"groupName":"x",)"
             R"("groupDescription":"d","vpcId":"vpc-1"},"responseElements":null})");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].group, "x");
  c = Decode(R"({"eventName":"DeleteSecurityGroup","requestParameters":{"groupId":"sg-0aa"}})");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].action, "group deleted");
  EXPECT_EQ(c[0].group, "sg-0aa");
}

TEST(DecodeSecurityGroupChanges, RevokeWithGroupsAndPrefixLists) {
  const auto c = Decode(
      R"({"eventName":"RevokeSecurityGroupEgress","requestParameters":{"groupId":"sg-1",)"
      R"("ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":5432,"toPort":5432,)"
      R"("groups":{"items":[{"groupId":"sg-db","description":"to the database"}]},)"
      R"("prefixListIds":{"items":[{"prefixListId":"pl-63a5400a"}]},"ipRanges":{},"ipv6Ranges":{}}]}}})");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].action, "removed");
  EXPECT_EQ(c[0].direction, "egress");
  // Order: ipRanges, ipv6Ranges, prefix lists, groups.
  EXPECT_EQ(c[0].peer, "pl-63a5400a");
  EXPECT_EQ(c[1].peer, "sg-db");
  EXPECT_EQ(c[1].description, "to the database");
}

TEST(DecodeSecurityGroupChanges, ModifySecurityGroupRules) {
  // The request shape CloudTrail records (ModifySecurityGroupRulesRequest wrapping one rule).
  auto c = Decode(
      R"({"eventName":"ModifySecurityGroupRules","requestParameters":{"ModifySecurityGroupRulesRequest":)"
      R"({"GroupId":"sg-0123456789abcdef0","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-0d28445c956a5d8ac",)"
      R"("tag":1,"SecurityGroupRule":{"CidrIpv4":"0.0.0.0/0","FromPort":20,"ToPort":25,)"
      R"("IpProtocol":"tcp","Description":"ftp and ssh"}}}},)"
      R"("responseElements":{"ModifySecurityGroupRulesResponse":{"return":true}}})");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].action, "modified");
  EXPECT_EQ(c[0].direction, "");
  EXPECT_EQ(c[0].group, "sg-0123456789abcdef0 rule sgr-0d28445c956a5d8ac");
  EXPECT_EQ(c[0].peer, "0.0.0.0/0");
  EXPECT_EQ(DescribePorts(c[0]), "tcp 20-25");
  EXPECT_EQ(c[0].description, "ftp and ssh");
  // Two rules in one request (a list), one referencing a group, one IPv6.
  c = Decode(
      R"({"eventName":"ModifySecurityGroupRules","requestParameters":{"ModifySecurityGroupRulesRequest":)"
      R"({"GroupId":"sg-1","SecurityGroupRule":[{"SecurityGroupRuleId":"sgr-a","SecurityGroupRule":)"
      R"({"ReferencedGroupId":"sg-2","IpProtocol":"-1"}},{"SecurityGroupRuleId":"sgr-b",)"
      R"("SecurityGroupRule":{"CidrIpv6":"::/0","IpProtocol":"udp","FromPort":53,"ToPort":53}}]}}})");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].peer, "sg-2");
  EXPECT_EQ(c[1].peer, "::/0");
  EXPECT_EQ(c[1].from_port, 53);
}

TEST(DecodeSecurityGroupChanges, OtherEventsAndBrokenShapesYieldNothing) {
  EXPECT_TRUE(Decode(CorpusLine("panther", 79)).empty());  // ConsoleLogin
  EXPECT_TRUE(
      Decode(R"({"eventName":"AuthorizeSecurityGroupIngress","requestParameters":null})").empty());
  EXPECT_TRUE(Decode(R"({"eventName":"ModifySecurityGroupRules","requestParameters":{}})").empty());
  const auto c = Decode(R"({"eventName":"AuthorizeSecurityGroupIngress","requestParameters":)"
                        R"({"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp",)"
                        R"("fromPort":"http","toPort":99999}]}}})");
  ASSERT_EQ(c.size(), 1u);  // a permission without peers is still one change
  EXPECT_EQ(c[0].from_port, -1);
  EXPECT_EQ(c[0].to_port, -1);
}

}  // namespace
}  // namespace tw::alert
