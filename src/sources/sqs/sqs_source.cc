#include "sources/sqs/sqs_source.h"

#include <cstdio>
#include <ctime>

#include "aws/notification.h"
#include "common/log_line.h"
#include "common/strings.h"

namespace tw::sources {
namespace {

std::string ObjectUri(const aws::S3ObjectRef& o) { return "s3://" + o.bucket + "/" + o.key; }

}  // namespace

Result<std::unique_ptr<SqsSource>> SqsSource::Create(SqsOptions options,
                                                     std::unique_ptr<aws::SqsClient> sqs,
                                                     std::unique_ptr<aws::S3Client> s3,
                                                     state::StateStore* store, const Clock& clock) {
  if (options.queue_url.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "sqs source: queue_url is empty");
  }
  if (options.max_messages < 1 || options.max_messages > 10) {
    return Fail(ErrorCode::kInvalidArgument, "sqs source: max_messages must be 1..10");
  }
  if (options.wait.count() < 0 || options.wait.count() > 20) {
    return Fail(ErrorCode::kInvalidArgument, "sqs source: wait must be 0..20 s");
  }
  if (options.visibility_timeout.count() < 2 || options.visibility_timeout.count() > 43200) {
    return Fail(ErrorCode::kInvalidArgument, "sqs source: visibility_timeout must be 2 s..12 h");
  }
  if (!sqs || !s3) return Fail(ErrorCode::kInvalidArgument, "sqs source: missing client");
  std::unique_ptr<SqsSource> source(
      new SqsSource(std::move(options), std::move(sqs), std::move(s3), store, clock));
  if (source->options_.start_threads) {
    SqsSource* self = source.get();
    self->receiver_ = std::thread([self] {
      while (true) {
        {
          std::unique_lock<std::mutex> lock(self->mu_);
          self->cv_.wait(lock, [self] { return self->closing_ || self->waiting_.empty(); });
          if (self->closing_) return;
        }
        if (auto polled = self->Poll(); !polled) {
          if (self->stopping_.load()) return;  // the poll was cancelled: not a failure
          self->Log("warning", polled.error().message + " (retrying in 5 s)");
          std::unique_lock<std::mutex> lock(self->mu_);
          self->cv_.wait_for(lock, std::chrono::seconds(5), [self] { return self->closing_; });
        }
      }
    });
    self->heartbeat_ = std::thread([self] {
      std::unique_lock<std::mutex> lock(self->mu_);
      while (!self->closing_) {
        self->cv_.wait_for(lock, std::chrono::seconds(1), [self] { return self->closing_; });
        if (self->closing_) break;
        lock.unlock();
        self->Heartbeat();
        lock.lock();
      }
    });
  }
  return source;
}

SqsSource::SqsSource(SqsOptions options, std::unique_ptr<aws::SqsClient> sqs,
                     std::unique_ptr<aws::S3Client> s3, state::StateStore* store,
                     const Clock& clock)
    : options_(std::move(options)),
      sqs_(std::move(sqs)),
      s3_(std::move(s3)),
      store_(store),
      clock_(clock) {}

SqsSource::~SqsSource() {
  stopping_.store(true);  // ends a long poll in flight within about a second
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (receiver_.joinable()) receiver_.join();
  if (heartbeat_.joinable()) heartbeat_.join();
  // Messages never handed out: visible again now, for another worker.
  for (uint64_t id : waiting_) {
    auto it = held_.find(id);
    if (it == held_.end()) continue;
    (void)sqs_->ChangeMessageVisibility(options_.queue_url, it->second.message.receipt_handle,
                                        std::chrono::seconds(0));
  }
}

void SqsSource::Log(const char* level, const std::string& message) const {
  std::string line = "sqs source `" + options_.name + "`: " + message;
  if (options_.log) {
    options_.log(level, line);
  } else {
    LogLine(level, line);
  }
}

Result<size_t> SqsSource::Poll() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!waiting_.empty() || closing_) return 0;
  }
  aws::ReceiveParams params;
  params.max_messages = options_.max_messages;
  params.wait = options_.wait;
  params.visibility_timeout = options_.visibility_timeout;
  params.cancel = &stopping_;
  auto messages = sqs_->ReceiveMessage(options_.queue_url, params);
  if (!messages) return tl::unexpected(messages.error());
  const Clock::MonoTime until = clock_.Monotonic() + options_.visibility_timeout;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (aws::SqsMessage& m : *messages) {
      const uint64_t id = next_id_++;
      held_.emplace(id, Held{std::move(m), until});
      waiting_.push_back(id);
    }
  }
  cv_.notify_all();
  return messages->size();
}

void SqsSource::Heartbeat() {
  const Clock::MonoTime now = clock_.Monotonic();
  std::vector<std::pair<uint64_t, std::string>> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, held] : held_) {
      if (held.visible_until - now < options_.visibility_timeout / 2) {
        due.emplace_back(id, held.message.receipt_handle);
      }
    }
  }
  for (const auto& [id, receipt] : due) {
    auto r =
        sqs_->ChangeMessageVisibility(options_.queue_url, receipt, options_.visibility_timeout);
    if (!r) {
      Log("warning", "could not extend a message's visibility: " + r.error().message);
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = held_.find(id); it != held_.end()) {
      it->second.visible_until = now + options_.visibility_timeout;
    }
  }
}

Result<std::optional<Batch>> SqsSource::Next(const std::atomic<bool>& stop) {
  std::lock_guard<std::mutex> serial(next_mu_);
  while (!stop.load()) {
    uint64_t id = 0;
    aws::SqsMessage message;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(100),
                   [this] { return !waiting_.empty() || closing_; });
      if (waiting_.empty()) {
        if (closing_) return std::optional<Batch>();
        continue;
      }
      id = waiting_.front();
      waiting_.pop_front();
      message = held_.at(id).message;
    }
    cv_.notify_all();  // the receiver may poll again
    if (auto batch = Take(id, message)) return batch;
  }
  return std::optional<Batch>();
}

std::optional<Batch> SqsSource::Take(uint64_t id, const aws::SqsMessage& message) {
  auto parsed = aws::ParseNotification(message.body);
  if (!parsed) {
    Leave(id, "message " + EscapeForTerminal(message.message_id) +
                  " is not a notification: " + parsed.error().message);
    return std::nullopt;
  }
  Batch batch;
  batch.handle = id;
  switch (parsed->kind) {
    case aws::Notification::Kind::kTestEvent:
      Delete(id, "s3:TestEvent acknowledged and ignored");
      return std::nullopt;
    case aws::Notification::Kind::kCloudTrailEvent:
      batch.input = "sqs:" + message.message_id;
      batch.documents.push_back(std::move(parsed->event_json));
      return batch;
    case aws::Notification::Kind::kS3Objects:
      break;
  }
  const auto& objects = parsed->objects;
  if (objects.empty()) {
    Delete(id, "message " + EscapeForTerminal(message.message_id) + ": nothing to read (" +
                   std::to_string(parsed->skipped) + " record(s) of other event types)");
    return std::nullopt;
  }
  batch.input = ObjectUri(objects[0]);
  if (objects.size() > 1) batch.input += " (+" + std::to_string(objects.size() - 1) + " more)";
  if (objects.size() == 1 && store_ != nullptr) {
    auto done = store_->LoadCheckpoint(options_.name, batch.input);
    if (done && *done && **done == "done") {
      Delete(id, EscapeForTerminal(batch.input) + " was already processed by this worker");
      return std::nullopt;
    }
    batch.checkpoint = state::Checkpoint{options_.name, batch.input, "done"};
  }
  for (const aws::S3ObjectRef& object : objects) {
    auto bytes = s3_->GetObject(object.bucket, object.key);
    if (!bytes) {
      Leave(id, EscapeForTerminal(ObjectUri(object)) + ": " + bytes.error().message);
      return std::nullopt;
    }
    batch.documents.push_back(std::move(*bytes));
  }
  return batch;
}

void SqsSource::Delete(uint64_t id, const std::string& why) {
  std::string receipt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(id);
    if (it == held_.end()) return;
    receipt = it->second.message.receipt_handle;
    held_.erase(it);
  }
  if (!why.empty()) Log("info", why);
  if (auto r = sqs_->DeleteMessage(options_.queue_url, receipt); !r) {
    // It comes back after its visibility timeout; its alerts are committed already, so the
    // outbox (and with DynamoDB the claims) keep it from being raised twice.
    Log("warning", "could not delete a processed message: " + r.error().message);
    return;
  }
  ++deleted_;
}

void SqsSource::Leave(uint64_t id, const std::string& why) {
  std::string receipt;
  int count = 0;
  std::string message_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(id);
    if (it == held_.end()) return;
    receipt = it->second.message.receipt_handle;
    count = it->second.message.receive_count;
    message_id = it->second.message.message_id;
    held_.erase(it);
  }
  ++left_;
  Log("warning", "message " + EscapeForTerminal(message_id) + " (receive count " +
                     std::to_string(count) + ") left for redelivery: " + why);
  if (options_.retry_delay) {
    if (auto r = sqs_->ChangeMessageVisibility(options_.queue_url, receipt, *options_.retry_delay);
        !r) {
      Log("warning", "could not set the retry delay: " + r.error().message);
    }
  }
}

void SqsSource::Ack(const Batch& batch) { Delete(batch.handle, ""); }

void SqsSource::Nack(const Batch& batch, const Error& error) {
  Leave(batch.handle, EscapeForTerminal(batch.input) + ": " + error.message);
}

}  // namespace tw::sources
