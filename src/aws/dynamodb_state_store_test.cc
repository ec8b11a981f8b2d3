#include "aws/dynamodb_state_store.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "aws/testing/scripted_json.h"
#include "state/memory/memory_state_store.h"

namespace tw::aws {
namespace {

constexpr char kConditionFailed[] =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})";

class DynamoDbStateStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<DynamoDbStateStore> Make() {
    auto local = std::make_unique<state::MemoryStateStore>(clock_);
    local_ = local.get();
    auto db = std::make_unique<DynamoDbClient>(fake_.Client(DynamoDbJsonOptions({}), clock_));
    DynamoDbStateOptions options;
    options.table = "tw";
    options.claim_lease = std::chrono::seconds(300);
    auto store = DynamoDbStateStore::Create(std::move(local), std::move(db), options, clock_);
    EXPECT_TRUE(store) << store.error().message;
    return std::move(*store);
  }
  std::vector<std::string> Ops() {
    std::vector<std::string> out;
    for (const auto& r : fake_.requests) {
      const std::string* t = FindHeader(r.headers, "X-Amz-Target");
      out.push_back(t->substr(t->find('.') + 1));
    }
    return out;
  }
  simdjson::dom::element Body(size_t i) { return parser_.parse(fake_.requests.at(i).body).value(); }
  static state::NewOutboxEntry Entry(std::string id) {
    state::NewOutboxEntry e;
    e.alert_id = std::move(id);
    e.rule_id = "r";
    e.severity = "high";
    e.payload = "{}";
    e.sinks = {"slack"};
    return e;
  }
  size_t LocalRows() { return local_->ListRows(std::nullopt, 100).value().size(); }

  FakeClock clock_;
  testing::ScriptedJson fake_;
  simdjson::dom::parser parser_;
  state::MemoryStateStore* local_ = nullptr;
};

TEST_F(DynamoDbStateStoreTest, WorkerIdIsMadeOnceAndKeptLocally) {
  auto store = Make();
  EXPECT_EQ(store->worker_id().size(), 16u);
  auto kept = local_->LoadCheckpoint("__trailwatch", "worker_id");
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ(**kept, store->worker_id());
  EXPECT_TRUE(fake_.requests.empty());  // nothing asked of DynamoDB for that
}

TEST_F(DynamoDbStateStoreTest, CommitClaimsThenCommitsLocallyThenMarksCommitted) {
  fake_.On("PutItem", 200, "{}");
  fake_.On("UpdateItem", 200, R"({"Attributes":{}})");
  auto store = Make();
  ASSERT_TRUE(store->Commit({Entry("a1")}, {{"sqs", "s3://b/k", "done"}}));
  EXPECT_EQ(Ops(), (std::vector<std::string>{"PutItem", "UpdateItem"}));
  simdjson::dom::element claim = Body(0);
  EXPECT_EQ(std::string_view(claim["Item"]["pk"]["S"].get_string().value()), "c|a1");
  EXPECT_EQ(std::string_view(claim["Item"]["state"]["S"].get_string().value()), "pending");
  EXPECT_EQ(std::string_view(claim["Item"]["owner"]["S"].get_string().value()), store->worker_id());
  // lease = now + 300 s, in ms; the FakeClock starts at 1,790,000,000 s.
  EXPECT_EQ(std::string_view(claim["Item"]["lease"]["N"].get_string().value()), "1790000300000");
  // TTL = now + 15 days, in seconds: 1,790,000,000 + 1,296,000.
  EXPECT_EQ(std::string_view(claim["Item"]["expires_at"]["N"].get_string().value()), "1791296000");
  EXPECT_NE(std::string_view(claim["ConditionExpression"].get_string().value())
                .find("attribute_not_exists(#pk)"),
            std::string_view::npos);
  simdjson::dom::element mark = Body(1);
  EXPECT_EQ(std::string_view(mark["UpdateExpression"].get_string().value()),
            "SET #state = :committed");
  EXPECT_EQ(std::string_view(mark["ConditionExpression"].get_string().value()), "#owner = :me");
  EXPECT_EQ(LocalRows(), 1u);
  EXPECT_EQ(local_->LoadCheckpoint("sqs", "s3://b/k").value(), "done");
}

TEST_F(DynamoDbStateStoreTest, AnAlertCommittedElsewhereIsLeftOutButTheCheckpointAdvances) {
  fake_.On("PutItem", 400, kConditionFailed);
  fake_.On("GetItem", 200,
           R"({"Item":{"pk":{"S":"c|a1"},"owner":{"S":"other"},"state":{"S":"committed"}}})");
  auto store = Make();
  ASSERT_TRUE(store->Commit({Entry("a1")}, {{"sqs", "s3://b/k", "done"}}));
  EXPECT_EQ(Ops(), (std::vector<std::string>{"PutItem", "GetItem"}));
  EXPECT_EQ(LocalRows(), 0u);
  EXPECT_EQ(store->claimed_elsewhere(), 1u);
  EXPECT_EQ(local_->LoadCheckpoint("sqs", "s3://b/k").value(), "done");
}

TEST_F(DynamoDbStateStoreTest, AnAlertPendingElsewhereFailsTheCommitAndReleasesOwnClaims) {
  auto store = Make();
  fake_.On("PutItem", 200, "{}");              // a1: claimed by us
  fake_.On("PutItem", 400, kConditionFailed);  // a2: refused
  fake_.On("GetItem", 200,
           R"({"Item":{"pk":{"S":"c|a2"},"owner":{"S":"other"},"state":{"S":"pending"}}})");
  fake_.On("DeleteItem", 200, "{}");
  auto r = store->Commit({Entry("a1"), Entry("a2")}, {{"sqs", "s3://b/k", "done"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_NE(r.error().message.find("alert a2 is being committed by another worker"),
            std::string::npos);
  EXPECT_EQ(Ops(), (std::vector<std::string>{"PutItem", "PutItem", "GetItem", "DeleteItem"}));
  EXPECT_EQ(std::string_view(Body(3)["Key"]["pk"]["S"].get_string().value()), "c|a1");
  EXPECT_EQ(LocalRows(), 0u);
  EXPECT_FALSE(local_->LoadCheckpoint("sqs", "s3://b/k").value().has_value());
}

TEST_F(DynamoDbStateStoreTest, WindowsAreVersionedAcrossWorkers) {
  auto store = Make();
  // Absent: the write must find it still absent.
  fake_.On("GetItem", 200, "{}");
  fake_.On("PutItem", 200, "{}");
  auto w = store->GetWindow("dedupe|r|k", clock_.Now());
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->has_value());
  state::Window window{"dedupe|r|k", 1, clock_.Now(), clock_.Now() + std::chrono::hours(1), "v1|x"};
  ASSERT_TRUE(store->PutWindow(window));
  EXPECT_EQ(std::string_view(Body(1)["ConditionExpression"].get_string().value()),
            "attribute_not_exists(#pk)");
  EXPECT_EQ(std::string_view(Body(1)["Item"]["pk"]["S"].get_string().value()), "w|dedupe|r|k");
  EXPECT_EQ(std::string_view(Body(1)["Item"]["version"]["N"].get_string().value()), "1");
  // TTL: expires (1,790,003,600 s) + 1.
  EXPECT_EQ(std::string_view(Body(1)["Item"]["expires_at"]["N"].get_string().value()),
            "1790003601");

  // Present at version 4: read back, then the write is conditional on version 4; another
  // worker's write in between makes it fail as kConflict.
  fake_.On("GetItem", 200,
           R"({"Item":{"pk":{"S":"w|dedupe|r|k"},"count":{"N":"2"},"start":{"N":"1790000000000"},
               "expires":{"N":"1790003600000"},"data":{"B":"djF8eA=="},"version":{"N":"4"}}})");
  fake_.On("PutItem", 400, kConditionFailed);
  w = store->GetWindow("dedupe|r|k", clock_.Now());
  ASSERT_TRUE(w && *w);
  EXPECT_EQ((*w)->count, 2);
  EXPECT_EQ((*w)->data, "v1|x");
  EXPECT_EQ((*w)->expires, clock_.Now() + std::chrono::hours(1));
  window.count = 3;
  auto put = store->PutWindow(window);
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, ErrorCode::kConflict);
  EXPECT_EQ(std::string_view(Body(3)["ConditionExpression"].get_string().value()),
            "#version = :read");
  EXPECT_EQ(
      std::string_view(Body(3)["ExpressionAttributeValues"][":read"]["N"].get_string().value()),
      "4");
  EXPECT_EQ(std::string_view(Body(3)["Item"]["version"]["N"].get_string().value()), "5");
  EXPECT_EQ(std::string_view(Body(3)["Item"]["count"]["N"].get_string().value()), "3");

  // Expired by the clock: not returned.
  clock_.Advance(std::chrono::hours(1));
  w = store->GetWindow("dedupe|r|k", clock_.Now());
  ASSERT_TRUE(w);
  EXPECT_FALSE(w->has_value());
}

// The window is one PutItem carrying every field, so no reader can see an item that has some
// of them (moto builds an UpdateItem's new item field by field, and a concurrent reader saw it).
TEST_F(DynamoDbStateStoreTest, AWindowIsWrittenWholeInOneRequest) {
  auto store = Make();
  fake_.On("PutItem", 200, "{}");
  state::Window window{"dedupe|r|k", 7, clock_.Now(), clock_.Now() + std::chrono::hours(1), "d"};
  ASSERT_TRUE(store->PutWindow(window));  // no read before it: unconditional
  ASSERT_EQ(Ops(), std::vector<std::string>{"PutItem"});
  auto item = Body(0)["Item"];
  for (const char* field : {"pk", "count", "start", "expires", "data", "expires_at", "version"}) {
    EXPECT_FALSE(item[field].error()) << field;
  }
  EXPECT_TRUE(Body(0)["ConditionExpression"].error());
  EXPECT_NE(std::string_view(item["version"]["N"].get_string().value()), "0");
}

TEST_F(DynamoDbStateStoreTest, InitCreatesWaitsForActiveAndEnablesTtl) {
  fake_.On("CreateTable", 200, "{}");
  fake_.On(
      "DescribeTable", 200,
      R"({"Table":{"TableStatus":"CREATING","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}})");
  fake_.On(
      "DescribeTable", 200,
      R"({"Table":{"TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}})");
  fake_.On("UpdateTimeToLive", 200, "{}");
  DynamoDbClient db(fake_.Client(DynamoDbJsonOptions({}), clock_));
  int waits = 0;
  auto r = InitStateTable(db, "tw", [&] { ++waits; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(*r);
  EXPECT_EQ(waits, 1);
  EXPECT_EQ(Ops(), (std::vector<std::string>{"CreateTable", "DescribeTable", "DescribeTable",
                                             "UpdateTimeToLive"}));
}

TEST_F(DynamoDbStateStoreTest, InitRefusesATableWithAnotherKey) {
  fake_.On("CreateTable", 400, R"({"__type":"ResourceInUseException","message":"exists"})");
  fake_.On(
      "DescribeTable", 200,
      R"({"Table":{"TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}]}})");
  DynamoDbClient db(fake_.Client(DynamoDbJsonOptions({}), clock_));
  auto r = InitStateTable(db, "tw", [] {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tw::aws
