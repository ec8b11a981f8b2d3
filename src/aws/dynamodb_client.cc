#include "aws/dynamodb_client.h"

#include <simdjson.h>

#include <charconv>

namespace tw::aws {
namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kBase64[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = std::char_traits<char>::find(kBase64, 64, c);
    if (p == nullptr) return std::nullopt;
    acc = (acc << 6) | uint32_t(p - kBase64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xFF);
    }
  }
  return out;
}

void AppendValue(std::string& out, const AttributeValue& v) {
  switch (v.type) {
    case AttributeValue::Type::kS:
      out += "{\"S\":" + JsonText(v.value) + "}";
      break;
    case AttributeValue::Type::kN:
      out += "{\"N\":" + JsonText(v.value) + "}";
      break;
    case AttributeValue::Type::kB:
      out += "{\"B\":\"" + Base64Encode(v.value) + "\"}";
      break;
    case AttributeValue::Type::kBool:
      out += std::string("{\"BOOL\":") + (v.value == "true" ? "true" : "false") + "}";
      break;
    case AttributeValue::Type::kNull:
      out += "{\"NULL\":true}";
      break;
  }
}

Result<Item> ParseItem(simdjson::dom::element e, std::string_view context) {
  simdjson::dom::object obj;
  if (e.get_object().get(obj) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, std::string(context) + ": an item is not an object");
  }
  Item item;
  for (auto field : obj) {
    simdjson::dom::object typed;
    if (field.value.get_object().get(typed) != simdjson::SUCCESS) {
      return Fail(ErrorCode::kParse, std::string(context) + ": attribute is not typed");
    }
    AttributeValue v;
    std::string_view s;
    bool b = false;
    if (typed["S"].get_string().get(s) == simdjson::SUCCESS) {
      v = AttributeValue::S(std::string(s));
    } else if (typed["N"].get_string().get(s) == simdjson::SUCCESS) {
      v.type = AttributeValue::Type::kN;
      v.value = std::string(s);
    } else if (typed["B"].get_string().get(s) == simdjson::SUCCESS) {
      auto bytes = Base64Decode(s);
      if (!bytes) return Fail(ErrorCode::kParse, std::string(context) + ": bad base64 in B");
      v = AttributeValue::B(std::move(*bytes));
    } else if (typed["BOOL"].get_bool().get(b) == simdjson::SUCCESS) {
      v = AttributeValue::Bool(b);
    } else if (typed["NULL"].error() == simdjson::SUCCESS) {
      v.type = AttributeValue::Type::kNull;
    } else {
      continue;  // a type trailwatch never writes (L, M, SS ...): ignored
    }
    item[std::string(field.key)] = std::move(v);
  }
  return item;
}

void AppendExpressionParts(std::string& body, const Expression& a, const Expression& b) {
  std::map<std::string, std::string> names = a.names;
  names.insert(b.names.begin(), b.names.end());
  Item values = a.values;
  values.insert(b.values.begin(), b.values.end());
  if (!names.empty()) {
    body += ",\"ExpressionAttributeNames\":{";
    bool first = true;
    for (const auto& [k, v] : names) {
      if (!first) body += ",";
      first = false;
      body += JsonText(k) + ":" + JsonText(v);
    }
    body += "}";
  }
  if (!values.empty()) body += ",\"ExpressionAttributeValues\":" + ItemToJson(values);
}

}  // namespace

std::optional<int64_t> AttributeValue::AsInt() const {
  if (type != Type::kN) return std::nullopt;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
  return n;
}

std::string ItemToJson(const Item& item) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : item) {
    if (!first) out += ",";
    first = false;
    out += JsonText(name) + ":";
    AppendValue(out, value);
  }
  return out + "}";
}

Result<Item> ItemFromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "DynamoDB item: not JSON");
  }
  return ParseItem(doc, "DynamoDB item");
}

JsonClientOptions DynamoDbJsonOptions(RetryOptions retry) {
  JsonClientOptions options;
  options.service_label = "DynamoDB";
  options.signing_name = "dynamodb";
  options.target_prefix = "DynamoDB_20120810";
  options.retry = std::move(retry);
  return options;
}

Result<std::optional<Item>> DynamoDbClient::GetItem(const std::string& table, const Item& key,
                                                    bool consistent_read) {
  std::string body = "{\"TableName\":" + JsonText(table) + ",\"Key\":" + ItemToJson(key) +
                     ",\"ConsistentRead\":" + (consistent_read ? "true" : "false") + "}";
  auto answer = client_->CallOk("GetItem", body);
  if (!answer) return tl::unexpected(answer.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(*answer).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Fail(ErrorCode::kParse, "DynamoDB GetItem: the answer is not a JSON object");
  }
  simdjson::dom::element item;
  if (doc["Item"].get(item) != simdjson::SUCCESS) return std::optional<Item>();
  auto parsed = ParseItem(item, "DynamoDB GetItem");
  if (!parsed) return tl::unexpected(parsed.error());
  return std::optional<Item>(std::move(*parsed));
}

Result<WriteOutcome> DynamoDbClient::PutItem(const std::string& table, const Item& item,
                                             const Expression& condition) {
  std::string body = "{\"TableName\":" + JsonText(table) + ",\"Item\":" + ItemToJson(item);
  if (!condition.text.empty()) body += ",\"ConditionExpression\":" + JsonText(condition.text);
  AppendExpressionParts(body, condition, Expression{});
  body += "}";
  auto r = client_->Call("PutItem", body);
  if (!r) return tl::unexpected(r.error());
  if (r->aws_code == "ConditionalCheckFailedException") return WriteOutcome::kConditionFailed;
  if (!r->ok()) return tl::unexpected(r->error);
  return WriteOutcome::kWritten;
}

Result<UpdateOutcome> DynamoDbClient::UpdateItem(const std::string& table, const Item& key,
                                                 const Expression& update,
                                                 const Expression& condition) {
  std::string body = "{\"TableName\":" + JsonText(table) + ",\"Key\":" + ItemToJson(key) +
                     ",\"UpdateExpression\":" + JsonText(update.text) +
                     ",\"ReturnValues\":\"ALL_NEW\"";
  if (!condition.text.empty()) body += ",\"ConditionExpression\":" + JsonText(condition.text);
  AppendExpressionParts(body, update, condition);
  body += "}";
  auto r = client_->Call("UpdateItem", body);
  if (!r) return tl::unexpected(r.error());
  UpdateOutcome out;
  if (r->aws_code == "ConditionalCheckFailedException") {
    out.outcome = WriteOutcome::kConditionFailed;
    return out;
  }
  if (!r->ok()) return tl::unexpected(r->error);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r->body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Fail(ErrorCode::kParse, "DynamoDB UpdateItem: the answer is not a JSON object");
  }
  simdjson::dom::element attributes;
  if (doc["Attributes"].get(attributes) == simdjson::SUCCESS) {
    auto parsed = ParseItem(attributes, "DynamoDB UpdateItem");
    if (!parsed) return tl::unexpected(parsed.error());
    out.attributes = std::move(*parsed);
  }
  return out;
}

Result<WriteOutcome> DynamoDbClient::DeleteItem(const std::string& table, const Item& key,
                                                const Expression& condition) {
  std::string body = "{\"TableName\":" + JsonText(table) + ",\"Key\":" + ItemToJson(key);
  if (!condition.text.empty()) body += ",\"ConditionExpression\":" + JsonText(condition.text);
  AppendExpressionParts(body, condition, Expression{});
  body += "}";
  auto r = client_->Call("DeleteItem", body);
  if (!r) return tl::unexpected(r.error());
  if (r->aws_code == "ConditionalCheckFailedException") return WriteOutcome::kConditionFailed;
  if (!r->ok()) return tl::unexpected(r->error);
  return WriteOutcome::kWritten;
}

Result<bool> DynamoDbClient::CreateTable(const std::string& table,
                                         const std::string& partition_key) {
  std::string body =
      "{\"TableName\":" + JsonText(table) +
      ",\"AttributeDefinitions\":[{\"AttributeName\":" + JsonText(partition_key) +
      ",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":" + JsonText(partition_key) +
      ",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
  auto r = client_->Call("CreateTable", body);
  if (!r) return tl::unexpected(r.error());
  if (r->aws_code == "ResourceInUseException") return false;
  if (!r->ok()) return tl::unexpected(r->error);
  return true;
}

Result<void> DynamoDbClient::UpdateTimeToLive(const std::string& table,
                                              const std::string& attribute) {
  std::string body =
      "{\"TableName\":" + JsonText(table) +
      ",\"TimeToLiveSpecification\":{\"Enabled\":true,\"AttributeName\":" + JsonText(attribute) +
      "}}";
  auto r = client_->Call("UpdateTimeToLive", body);
  if (!r) return tl::unexpected(r.error());
  // AWS answers ValidationException "TimeToLive is already enabled" on a repeat.
  if (r->aws_code == "ValidationException" &&
      r->error.message.find("already enabled") != std::string::npos) {
    return Ok();
  }
  if (!r->ok()) return tl::unexpected(r->error);
  return Ok();
}

Result<TableDescription> DynamoDbClient::DescribeTable(const std::string& table) {
  auto r = client_->Call("DescribeTable", "{\"TableName\":" + JsonText(table) + "}");
  if (!r) return tl::unexpected(r.error());
  if (r->aws_code == "ResourceNotFoundException") {
    return Fail(ErrorCode::kNotFound, r->error.message);
  }
  if (!r->ok()) return tl::unexpected(r->error);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(r->body).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Fail(ErrorCode::kParse, "DynamoDB DescribeTable: the answer is not a JSON object");
  }
  TableDescription out;
  std::string_view s;
  if (doc["Table"]["TableStatus"].get_string().get(s) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "DynamoDB DescribeTable: no Table.TableStatus");
  }
  out.status = std::string(s);
  simdjson::dom::array keys;
  if (doc["Table"]["KeySchema"].get_array().get(keys) == simdjson::SUCCESS) {
    for (simdjson::dom::element k : keys) {
      std::string_view type, name;
      if (k["KeyType"].get_string().get(type) == simdjson::SUCCESS && type == "HASH" &&
          k["AttributeName"].get_string().get(name) == simdjson::SUCCESS) {
        out.partition_key = std::string(name);
      }
    }
  }
  return out;
}

}  // namespace tw::aws
