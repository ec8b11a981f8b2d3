#include "alert/record_fields.h"

#include <gtest/gtest.h>

namespace tw::alert {
namespace {

TEST(RecordFields, AlertFieldsPathsArraysAndScalars) {
  Alert a;
  a.rule_id = "r";
  a.actor = "alice";
  a.record_json =
      R"({"sourceIPAddress":"10.0.0.1","userIdentity":{"arn":"arn:x","sessionContext":null},)"
      R"("n":42,"neg":-3,"f":1.5,"b":true,"nil":null,)"
      R"("resources":[{"ARN":"a1"},{"ARN":"a2"},{"other":1}],"actor":"record-actor"})";
  RecordFields f;
  ASSERT_TRUE(f.Load(a).has_value());
  EXPECT_EQ(f.First("rule_id"), "r");
  EXPECT_EQ(f.First("actor"), "alice");  // the Alert field wins over a record key
  EXPECT_EQ(f.First("sourceIPAddress"), "10.0.0.1");
  EXPECT_EQ(f.First("userIdentity.arn"), "arn:x");
  EXPECT_EQ(f.Values("resources.ARN"), (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(f.First("n"), "42");
  EXPECT_EQ(f.First("neg"), "-3");
  EXPECT_EQ(f.First("f"), "1.5");
  EXPECT_EQ(f.First("b"), "true");
  EXPECT_TRUE(f.Values("nil").empty());
  EXPECT_TRUE(f.Values("userIdentity").empty());  // an object is no value
  EXPECT_TRUE(f.Values("userIdentity.sessionContext.x").empty());
  EXPECT_TRUE(f.Values("missing").empty());
  EXPECT_TRUE(f.Values("").empty());
}

TEST(RecordFields, NotJson) {
  Alert a;
  a.rule_id = "r";
  a.record_json = "nope";
  RecordFields f;
  EXPECT_FALSE(f.Load(a).has_value());
  EXPECT_EQ(f.First("rule_id"), "r");
  EXPECT_TRUE(f.Values("sourceIPAddress").empty());
}

TEST(KeyTemplate, RendersAndEscapes) {
  Alert a;
  a.rule_id = "r";
  a.actor = "alice";
  a.account_id = "1";
  a.event_name = "E";
  a.record_json = R"({"sourceIPAddress":"10.0.0.1"})";
  RecordFields f;
  ASSERT_TRUE(f.Load(a).has_value());
  EXPECT_EQ(*RenderKeyTemplate("{rule_id}|{actor}|{account_id}|{event_name}", f), "r|alice|1|E");
  EXPECT_EQ(*RenderKeyTemplate("ip={sourceIPAddress} {{literal}} {absent}.", f),
            "ip=10.0.0.1 {literal} .");
  EXPECT_FALSE(RenderKeyTemplate("{actor", f).has_value());
  EXPECT_FALSE(CheckKeyTemplate("{}").has_value());
  EXPECT_TRUE(CheckKeyTemplate("plain").has_value());
}

}  // namespace
}  // namespace tw::alert
