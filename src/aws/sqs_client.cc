#include "aws/sqs_client.h"

#include <simdjson.h>

#include <charconv>

namespace tw::aws {

JsonClientOptions SqsJsonOptions(RetryOptions retry) {
  JsonClientOptions options;
  options.service_label = "SQS";
  options.signing_name = "sqs";
  options.target_prefix = "AmazonSQS";
  options.retry = std::move(retry);
  return options;
}

Result<std::vector<SqsMessage>> SqsClient::ReceiveMessage(const std::string& queue_url,
                                                          const ReceiveParams& params) {
  if (params.max_messages < 1 || params.max_messages > 10) {
    return Fail(ErrorCode::kInvalidArgument,
                "SQS ReceiveMessage: MaxNumberOfMessages must be "
                "1..10");
  }
  if (params.wait.count() < 0 || params.wait.count() > 20) {
    return Fail(ErrorCode::kInvalidArgument, "SQS ReceiveMessage: WaitTimeSeconds must be 0..20");
  }
  std::string body = "{\"QueueUrl\":" + JsonText(queue_url) +
                     ",\"MaxNumberOfMessages\":" + std::to_string(params.max_messages) +
                     ",\"WaitTimeSeconds\":" + std::to_string(params.wait.count()) +
                     ",\"MessageSystemAttributeNames\":[\"ApproximateReceiveCount\"]"
                     ",\"AttributeNames\":[\"ApproximateReceiveCount\"]";
  if (params.visibility_timeout) {
    body += ",\"VisibilityTimeout\":" + std::to_string(params.visibility_timeout->count());
  }
  body += "}";
  // The long poll holds the request open for `wait`; give the transfer 10 s more.
  auto answer = client_->CallOk(
      "ReceiveMessage", body,
      std::chrono::duration_cast<std::chrono::milliseconds>(params.wait + std::chrono::seconds(10)),
      params.cancel);
  if (!answer) return tl::unexpected(answer.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(*answer).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Fail(ErrorCode::kParse, "SQS ReceiveMessage: the answer is not a JSON object");
  }
  std::vector<SqsMessage> out;
  simdjson::dom::array messages;
  if (doc["Messages"].get_array().get(messages) != simdjson::SUCCESS) return out;  // none
  for (simdjson::dom::element m : messages) {
    SqsMessage message;
    std::string_view s;
    if (m["ReceiptHandle"].get_string().get(s) != simdjson::SUCCESS || s.empty()) {
      return Fail(ErrorCode::kParse, "SQS ReceiveMessage: a message has no ReceiptHandle");
    }
    message.receipt_handle = std::string(s);
    if (m["MessageId"].get_string().get(s) == simdjson::SUCCESS) message.message_id = s;
    if (m["Body"].get_string().get(s) == simdjson::SUCCESS) message.body = s;
    if (m["Attributes"]["ApproximateReceiveCount"].get_string().get(s) == simdjson::SUCCESS) {
      int n = 0;
      if (std::from_chars(s.data(), s.data() + s.size(), n).ec == std::errc()) {
        message.receive_count = n;
      }
    }
    out.push_back(std::move(message));
  }
  return out;
}

Result<void> SqsClient::DeleteMessage(const std::string& queue_url,
                                      const std::string& receipt_handle) {
  auto answer =
      client_->CallOk("DeleteMessage", "{\"QueueUrl\":" + JsonText(queue_url) +
                                           ",\"ReceiptHandle\":" + JsonText(receipt_handle) + "}");
  if (!answer) return tl::unexpected(answer.error());
  return Ok();
}

Result<std::vector<DeleteFailure>> SqsClient::DeleteMessageBatch(
    const std::string& queue_url, const std::vector<std::string>& receipt_handles) {
  if (receipt_handles.empty() || receipt_handles.size() > 10) {
    return Fail(ErrorCode::kInvalidArgument, "SQS DeleteMessageBatch: 1 to 10 entries per call");
  }
  std::string body = "{\"QueueUrl\":" + JsonText(queue_url) + ",\"Entries\":[";
  for (size_t i = 0; i < receipt_handles.size(); ++i) {
    if (i > 0) body += ",";
    body += "{\"Id\":\"" + std::to_string(i) +
            "\",\"ReceiptHandle\":" + JsonText(receipt_handles[i]) + "}";
  }
  body += "]}";
  auto answer = client_->CallOk("DeleteMessageBatch", body);
  if (!answer) return tl::unexpected(answer.error());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(*answer).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return Fail(ErrorCode::kParse, "SQS DeleteMessageBatch: the answer is not a JSON object");
  }
  std::vector<DeleteFailure> failed;
  simdjson::dom::array entries;
  if (doc["Failed"].get_array().get(entries) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : entries) {
      DeleteFailure f;
      std::string_view s;
      if (e["Id"].get_string().get(s) == simdjson::SUCCESS) f.id = s;
      if (e["Code"].get_string().get(s) == simdjson::SUCCESS) f.code = s;
      if (e["Message"].get_string().get(s) == simdjson::SUCCESS) f.message = s;
      failed.push_back(std::move(f));
    }
  }
  return failed;
}

Result<void> SqsClient::ChangeMessageVisibility(const std::string& queue_url,
                                                const std::string& receipt_handle,
                                                std::chrono::seconds timeout) {
  if (timeout.count() < 0 || timeout.count() > 43200) {
    return Fail(ErrorCode::kInvalidArgument,
                "SQS ChangeMessageVisibility: VisibilityTimeout must be 0..43200 s");
  }
  auto answer = client_->CallOk(
      "ChangeMessageVisibility",
      "{\"QueueUrl\":" + JsonText(queue_url) + ",\"ReceiptHandle\":" + JsonText(receipt_handle) +
          ",\"VisibilityTimeout\":" + std::to_string(timeout.count()) + "}");
  if (!answer) return tl::unexpected(answer.error());
  return Ok();
}

}  // namespace tw::aws
