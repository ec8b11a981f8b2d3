// SqsClient: the Amazon SQS calls a queue consumer makes, over SQS's JSON protocol
// (AmazonSQS.<Operation>, which AWS has served since 2023 and moto serves too).
//
//   * ReceiveMessage: long poll (WaitTimeSeconds 0..20), up to 10 messages, asking for the
//     ApproximateReceiveCount system attribute (sent both as MessageSystemAttributeNames and as
//     the older AttributeNames, which SQS treats as one list);
//   * DeleteMessage and DeleteMessageBatch (at most 10 entries per call; entries that failed
//     come back by id);
//   * ChangeMessageVisibility: extend (or cut short) a message's invisibility.
//
// Reference: Amazon SQS API Reference (ReceiveMessage, DeleteMessage, DeleteMessageBatch,
// ChangeMessageVisibility). Errors are AwsJsonClient's: "SQS ReceiveMessage: <Code>: <Message>".
//
// Thread-safety: as AwsJsonClient (safe from several threads with a thread-safe HttpFetch).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/json_client.h"

namespace tw::aws {

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  int receive_count = 0;  // ApproximateReceiveCount; 0 when SQS did not say
};

struct ReceiveParams {
  int max_messages = 10;                                   // 1..10
  std::chrono::seconds wait{20};                           // 0..20: the long poll
  std::optional<std::chrono::seconds> visibility_timeout;  // the queue's when absent
  // When set, turning it true ends the long poll early with an error ("...: cancelled"). Messages
  // SQS handed out in that moment stay invisible until their visibility timeout, then come back.
  const std::atomic<bool>* cancel = nullptr;
};

struct DeleteFailure {
  std::string id;  // the entry's index in the request, as text
  std::string code;
  std::string message;
};

class SqsClient {
 public:
  explicit SqsClient(std::unique_ptr<AwsJsonClient> client) : client_(std::move(client)) {}

  // Messages available now or arriving within params.wait (an empty vector after the wait).
  // kInvalidArgument for parameters out of range; kParse for an answer without the fields.
  [[nodiscard]] Result<std::vector<SqsMessage>> ReceiveMessage(const std::string& queue_url,
                                                               const ReceiveParams& params);

  [[nodiscard]] Result<void> DeleteMessage(const std::string& queue_url,
                                           const std::string& receipt_handle);

  // Deletes up to 10 messages in one call; returns the entries SQS could not delete (ids are
  // indexes into `receipt_handles`). kInvalidArgument for 0 or more than 10 handles.
  [[nodiscard]] Result<std::vector<DeleteFailure>> DeleteMessageBatch(
      const std::string& queue_url, const std::vector<std::string>& receipt_handles);

  // Makes the message invisible for `timeout` from now (0..12 h; 0 makes it visible again).
  [[nodiscard]] Result<void> ChangeMessageVisibility(const std::string& queue_url,
                                                     const std::string& receipt_handle,
                                                     std::chrono::seconds timeout);

 private:
  std::unique_ptr<AwsJsonClient> client_;
};

// The JSON client options for SQS (target AmazonSQS, signing name sqs).
JsonClientOptions SqsJsonOptions(RetryOptions retry);

}  // namespace tw::aws
