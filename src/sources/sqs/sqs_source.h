// SqsSource: `watch` fed by an SQS queue of notifications (`{type: sqs, queue_url: URL}`).
//
// A background receiver long-polls the queue (ReceiveMessage, WaitTimeSeconds `wait`, up to
// `max_messages`, visibility `visibility_timeout`) whenever no received message is waiting, so
// at most `max_messages` messages are held at a time. Next() takes one message, parses it
// (aws/notification.h) and returns it as one Batch, the unit of acknowledgement:
//   * S3 objects (S3 event notifications, direct or in SNS; EventBridge "Object Created";
//     CloudTrail's SNS notification): each object is fetched with S3Client::GetObject and is one
//     document of the batch; input "s3://bucket/key" (" (+N more)" when the message names
//     several); for a single object the checkpoint (source name, "s3://bucket/key", "done")
//     commits with its alerts, and a later delivery of a message for an object this worker has
//     already committed is deleted without reading it again;
//   * a CloudTrail event delivered by EventBridge: the event is the document, input
//     "sqs:<message id>";
//   * s3:TestEvent, and notifications with nothing to read (ObjectRemoved ...): deleted at once
//     and never handed out.
// Ack deletes the message (DeleteMessage): the pipeline calls it only once the batch's alerts
// are committed to the outbox. A message that cannot be used (it does not parse, an object
// cannot be fetched) or whose batch is Nack'ed is left on the queue for redelivery, with a
// warning naming its ApproximateReceiveCount, so that the queue's redrive policy moves a poison
// message to its dead-letter queue; `retry_delay`, when set, makes it visible again after that
// delay instead of at the end of its visibility timeout.
//
// Visibility: every message held (waiting, or handed out and not yet acked or nacked) has its
// visibility extended to `visibility_timeout` from now once less than half of it remains
// (ChangeMessageVisibility), by a heartbeat thread that calls Heartbeat() every second.
// Stopping (the destructor) makes the messages never handed out visible again at once; the
// receiver finishes its current long poll first (up to `wait`).
//
// Thread-safety: Next from any number of threads (serialised); Ack/Nack/Heartbeat from any
// thread. The clients, the store and the clock are borrowed or owned as Create says.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "aws/s3_client.h"
#include "aws/sqs_client.h"
#include "common/clock.h"
#include "sources/source.h"
#include "state/state_store.h"

namespace tw::sources {

struct SqsOptions {
  std::string name = "sqs";
  std::string queue_url;
  int max_messages = 10;                            // 1..10 per ReceiveMessage
  std::chrono::seconds wait{20};                    // long poll, 0..20
  std::chrono::seconds visibility_timeout{120};     // asked at receive, renewed while held
  std::optional<std::chrono::seconds> retry_delay;  // after a failure; unset: let it lapse
  // Where warnings and notes go ("warning", text); default: stderr like `watch`'s log.
  std::function<void(const char* level, const std::string& message)> log;
  // Start the receiver and heartbeat threads (tests drive Poll/Heartbeat themselves).
  bool start_threads = true;
};

class SqsSource final : public Source {
 public:
  // `store` (may be null: no checkpoints) and `clock` are borrowed. kInvalidArgument for an
  // empty queue URL or options out of range.
  [[nodiscard]] static Result<std::unique_ptr<SqsSource>> Create(
      SqsOptions options, std::unique_ptr<aws::SqsClient> sqs, std::unique_ptr<aws::S3Client> s3,
      state::StateStore* store, const Clock& clock);
  ~SqsSource() override;

  const std::string& name() const override { return options_.name; }
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  void Ack(const Batch& batch) override;
  void Nack(const Batch& batch, const Error& error) override;

  // One receive (what the receiver thread loops on): long-polls once when no message is
  // waiting. Returns the number of messages received.
  [[nodiscard]] Result<size_t> Poll();
  // Extends the visibility of every held message with less than half of it left.
  void Heartbeat();

  // Counters, for tests and logs.
  uint64_t deleted() const { return deleted_; }
  uint64_t left_for_redelivery() const { return left_; }

 private:
  struct Held {
    aws::SqsMessage message;
    Clock::MonoTime visible_until;
  };

  SqsSource(SqsOptions options, std::unique_ptr<aws::SqsClient> sqs,
            std::unique_ptr<aws::S3Client> s3, state::StateStore* store, const Clock& clock);
  // Builds the batch for held message `id`; nullopt when the message was dealt with (deleted or
  // left) and the caller should take the next one.
  std::optional<Batch> Take(uint64_t id, const aws::SqsMessage& message);
  void Delete(uint64_t id, const std::string& why);
  void Leave(uint64_t id, const std::string& why);
  void Log(const char* level, const std::string& message) const;

  SqsOptions options_;
  std::unique_ptr<aws::SqsClient> sqs_;
  std::unique_ptr<aws::S3Client> s3_;
  state::StateStore* store_;
  const Clock& clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Held> held_;  // every message received and not yet deleted or left
  std::deque<uint64_t> waiting_;   // held, not yet handed out
  uint64_t next_id_ = 1;
  bool closing_ = false;
  std::atomic<bool> stopping_{false};  // closing_, readable without mu_ by the HTTP transfer
  std::mutex next_mu_;                 // serialises Next

  std::atomic<uint64_t> deleted_{0};
  std::atomic<uint64_t> left_{0};
  std::thread receiver_;
  std::thread heartbeat_;
};

}  // namespace tw::sources
