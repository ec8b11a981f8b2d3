// DynamoDbClient: the Amazon DynamoDB calls trailwatch's shared state needs, over DynamoDB's JSON
// protocol (DynamoDB_20120810.<Operation>).
//
//   * GetItem (strongly consistent on request), PutItem, UpdateItem and DeleteItem, each with an
//     optional ConditionExpression; a failed condition (ConditionalCheckFailedException) is an
//     outcome (WriteOutcome::kConditionFailed), not an error;
//   * CreateTable (one string partition key, on-demand billing), UpdateTimeToLive, DescribeTable.
//
// Items are maps of attribute name to AttributeValue; the types used are S, N, B (raw bytes here,
// base64 on the wire), BOOL and NULL. Reference: Amazon DynamoDB API Reference and "Condition
// expressions" in the DynamoDB Developer Guide.
//
// Errors: AwsJsonClient's ("DynamoDB PutItem: ValidationException: ..."); kParse when an answer
// lacks what it should carry.
//
// Thread-safety: as AwsJsonClient.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aws/json_client.h"

namespace tw::aws {

struct AttributeValue {
  enum class Type { kS, kN, kB, kBool, kNull };
  Type type = Type::kNull;
  std::string value;  // S: the text; N: the decimal text; B: the raw bytes; BOOL: "true"/"false"

  static AttributeValue S(std::string s) { return {Type::kS, std::move(s)}; }
  static AttributeValue N(int64_t n) { return {Type::kN, std::to_string(n)}; }
  static AttributeValue B(std::string bytes) { return {Type::kB, std::move(bytes)}; }
  static AttributeValue Bool(bool b) { return {Type::kBool, b ? "true" : "false"}; }
  // The number of an N value; nullopt for another type or a non-integer.
  std::optional<int64_t> AsInt() const;
  bool operator==(const AttributeValue&) const = default;
};

using Item = std::map<std::string, AttributeValue>;

// An expression with its placeholders: `#name` -> attribute name, `:value` -> value.
struct Expression {
  std::string text;  // empty: none
  std::map<std::string, std::string> names;
  Item values;
};

enum class WriteOutcome { kWritten, kConditionFailed };

struct UpdateOutcome {
  WriteOutcome outcome = WriteOutcome::kWritten;
  Item attributes;  // ALL_NEW after a write
};

struct TableDescription {
  std::string status;         // "CREATING", "ACTIVE", ...
  std::string partition_key;  // the HASH key's attribute name
};

class DynamoDbClient {
 public:
  explicit DynamoDbClient(std::unique_ptr<AwsJsonClient> client) : client_(std::move(client)) {}

  // The item with `key`, or nullopt when there is none.
  [[nodiscard]] Result<std::optional<Item>> GetItem(const std::string& table, const Item& key,
                                                    bool consistent_read);
  // Writes `item` whole when `condition` holds (or when it is empty).
  [[nodiscard]] Result<WriteOutcome> PutItem(const std::string& table, const Item& item,
                                             const Expression& condition = {});
  // Applies `update` (UpdateExpression; its names/values are merged with the condition's) when
  // `condition` holds; returns the item's attributes after the update.
  [[nodiscard]] Result<UpdateOutcome> UpdateItem(const std::string& table, const Item& key,
                                                 const Expression& update,
                                                 const Expression& condition = {});
  [[nodiscard]] Result<WriteOutcome> DeleteItem(const std::string& table, const Item& key,
                                                const Expression& condition = {});

  // Creates `table` with a string partition key `partition_key`, PAY_PER_REQUEST. Returns false
  // (no error) when the table exists already (ResourceInUseException).
  [[nodiscard]] Result<bool> CreateTable(const std::string& table,
                                         const std::string& partition_key);
  // Enables TTL on `attribute` (Unix seconds). An already enabled TTL on the same attribute is
  // not an error.
  [[nodiscard]] Result<void> UpdateTimeToLive(const std::string& table,
                                              const std::string& attribute);
  // kNotFound when the table does not exist.
  [[nodiscard]] Result<TableDescription> DescribeTable(const std::string& table);

 private:
  std::unique_ptr<AwsJsonClient> client_;
};

// The JSON client options for DynamoDB (target DynamoDB_20120810, signing name dynamodb).
JsonClientOptions DynamoDbJsonOptions(RetryOptions retry);

// Wire forms, exposed for tests: an Item as DynamoDB JSON, and back.
std::string ItemToJson(const Item& item);
[[nodiscard]] Result<Item> ItemFromJson(std::string_view json);

}  // namespace tw::aws
