#include "aws/dynamodb_client.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "aws/testing/scripted_json.h"

namespace tw::aws {
namespace {

class DynamoDbClientTest : public ::testing::Test {
 protected:
  DynamoDbClient Make() {
    return DynamoDbClient(fake_.Client(DynamoDbJsonOptions(RetryOptions{}), clock_));
  }
  simdjson::dom::element LastBody() { return parser_.parse(fake_.requests.back().body).value(); }
  std::string LastTarget() { return *FindHeader(fake_.requests.back().headers, "X-Amz-Target"); }
  FakeClock clock_;
  testing::ScriptedJson fake_;
  simdjson::dom::parser parser_;
};

TEST(ItemJsonTest, WireFormOfEachType) {
  Item item{{"pk", AttributeValue::S("a\"b")},
            {"n", AttributeValue::N(-42)},
            {"b", AttributeValue::B(std::string("\x00\xff\x10", 3))},
            {"t", AttributeValue::Bool(true)}};
  // Hand-written: base64 of 00 ff 10 is "AP8Q"; keys in map order.
  EXPECT_EQ(ItemToJson(item),
            R"({"b":{"B":"AP8Q"},"n":{"N":"-42"},"pk":{"S":"a\"b"},"t":{"BOOL":true}})");
  auto back = ItemFromJson(ItemToJson(item));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, item);
  EXPECT_EQ(back->at("n").AsInt(), -42);
  EXPECT_EQ(AttributeValue::S("1").AsInt(), std::nullopt);
  // Base64 lengths 1 and 2 mod 3.
  for (std::string bytes : {std::string("f"), std::string("fo"), std::string("foob")}) {
    auto rt = ItemFromJson(ItemToJson({{"b", AttributeValue::B(bytes)}}));
    ASSERT_TRUE(rt);
    EXPECT_EQ(rt->at("b").value, bytes);
  }
  EXPECT_EQ(ItemToJson({{"b", AttributeValue::B("fo")}}), R"({"b":{"B":"Zm8="}})");
}

TEST_F(DynamoDbClientTest, GetItemFound) {
  fake_.On("GetItem", 200, R"({"Item":{"pk":{"S":"claim|x"},"ttl":{"N":"1790003600"}}})");
  DynamoDbClient db = Make();
  auto got = db.GetItem("tw", {{"pk", AttributeValue::S("claim|x")}}, true);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((**got).at("ttl").AsInt(), 1790003600);
  EXPECT_EQ(LastTarget(), "DynamoDB_20120810.GetItem");
  EXPECT_TRUE(LastBody()["ConsistentRead"].get_bool().value());
  EXPECT_NE(FindHeader(fake_.requests.back().headers, "Authorization")
                ->find("/us-east-1/dynamodb/aws4_request"),
            std::string::npos);
}

TEST_F(DynamoDbClientTest, GetItemMissingIsNullopt) {
  fake_.On("GetItem", 200, "{}");
  DynamoDbClient db = Make();
  auto got = db.GetItem("tw", {{"pk", AttributeValue::S("nope")}}, false);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_FALSE(got->has_value());
}

TEST_F(DynamoDbClientTest, ConditionalPutFailureIsAnOutcome) {
  fake_.On(
      "PutItem", 400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})");
  DynamoDbClient db = Make();
  Expression condition{"attribute_not_exists(#pk)", {{"#pk", "pk"}}, {}};
  auto r = db.PutItem("tw", {{"pk", AttributeValue::S("k")}}, condition);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, WriteOutcome::kConditionFailed);
  simdjson::dom::element body = LastBody();
  EXPECT_EQ(std::string_view(body["ConditionExpression"].get_string().value()),
            "attribute_not_exists(#pk)");
  EXPECT_EQ(std::string_view(body["ExpressionAttributeNames"]["#pk"].get_string().value()), "pk");
  EXPECT_EQ(std::string_view(body["Item"]["pk"]["S"].get_string().value()), "k");
}

TEST_F(DynamoDbClientTest, OtherErrorsAreErrors) {
  fake_.On(
      "PutItem", 400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"})");
  DynamoDbClient db = Make();
  auto r = db.PutItem("tw", {{"pk", AttributeValue::S("k")}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message,
            "DynamoDB PutItem: ResourceNotFoundException: Requested resource not found");
}

TEST_F(DynamoDbClientTest, UpdateItemMergesNamesAndValuesAndReturnsNewAttributes) {
  fake_.On("UpdateItem", 200, R"({"Attributes":{"pk":{"S":"w"},"v":{"N":"2"}}})");
  DynamoDbClient db = Make();
  Expression update{"SET #v = :next", {{"#v", "v"}}, {{":next", AttributeValue::N(2)}}};
  Expression condition{"#v = :prev", {{"#v", "v"}}, {{":prev", AttributeValue::N(1)}}};
  auto r = db.UpdateItem("tw", {{"pk", AttributeValue::S("w")}}, update, condition);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, WriteOutcome::kWritten);
  EXPECT_EQ(r->attributes.at("v").AsInt(), 2);
  simdjson::dom::element body = LastBody();
  EXPECT_EQ(std::string_view(body["UpdateExpression"].get_string().value()), "SET #v = :next");
  EXPECT_EQ(std::string_view(body["ExpressionAttributeValues"][":prev"]["N"].get_string().value()),
            "1");
  EXPECT_EQ(std::string_view(body["ExpressionAttributeValues"][":next"]["N"].get_string().value()),
            "2");
  EXPECT_EQ(std::string_view(body["ReturnValues"].get_string().value()), "ALL_NEW");
}

TEST_F(DynamoDbClientTest, DeleteWithConditionFailed) {
  fake_.On("DeleteItem", 400, R"({"__type":"ConditionalCheckFailedException","message":"x"})");
  DynamoDbClient db = Make();
  auto r =
      db.DeleteItem("tw", {{"pk", AttributeValue::S("k")}},
                    Expression{"#o = :me", {{"#o", "owner"}}, {{":me", AttributeValue::S("a")}}});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(*r, WriteOutcome::kConditionFailed);
}

TEST_F(DynamoDbClientTest, CreateTableTtlAndDescribe) {
  fake_.On("CreateTable", 200, R"({"TableDescription":{"TableStatus":"CREATING"}})");
  fake_.On(
      "UpdateTimeToLive", 400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"TimeToLive is already enabled"})");
  fake_.On(
      "DescribeTable", 200,
      R"({"Table":{"TableName":"tw","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}})");
  DynamoDbClient db = Make();
  auto created = db.CreateTable("tw", "pk");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(*created);
  simdjson::dom::element body = LastBody();
  EXPECT_EQ(std::string_view(body["BillingMode"].get_string().value()), "PAY_PER_REQUEST");
  EXPECT_EQ(std::string_view(body["KeySchema"].at(0)["KeyType"].get_string().value()), "HASH");
  EXPECT_EQ(
      std::string_view(body["AttributeDefinitions"].at(0)["AttributeType"].get_string().value()),
      "S");
  auto ttl = db.UpdateTimeToLive("tw", "expires_at");
  EXPECT_TRUE(ttl) << ttl.error().message;
  EXPECT_EQ(
      std::string_view(LastBody()["TimeToLiveSpecification"]["AttributeName"].get_string().value()),
      "expires_at");
  auto described = db.DescribeTable("tw");
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ(described->status, "ACTIVE");
  EXPECT_EQ(described->partition_key, "pk");
}

TEST_F(DynamoDbClientTest, CreateExistingTableAndDescribeMissing) {
  fake_.On(
      "CreateTable", 400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"Table already exists: tw"})");
  fake_.On(
      "DescribeTable", 400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found: Table: tw not found"})");
  DynamoDbClient db = Make();
  auto created = db.CreateTable("tw", "pk");
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_FALSE(*created);
  auto described = db.DescribeTable("tw");
  ASSERT_FALSE(described);
  EXPECT_EQ(described.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tw::aws
