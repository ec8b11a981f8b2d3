#include "sources/s3/s3_poll_source.h"

#include <cstdio>
#include <ctime>

#include "sources/s3/s3_scan_source.h"

namespace tw::sources {
namespace {

std::string Folder(const std::string& key) {
  const size_t slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

std::string BaseName(const std::string& key) {
  const size_t slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

void WarnToStderr(const std::string& message) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::fprintf(stderr, "%s trailwatch: warning: %s\n", stamp, message.c_str());
  std::fflush(stderr);
}

}  // namespace

std::string S3PollSource::EncodeDone(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    out += n;
    out += '\n';
  }
  return out;
}

std::set<std::string> S3PollSource::DecodeDone(std::string_view value) {
  std::set<std::string> out;
  while (!value.empty()) {
    const size_t nl = value.find('\n');
    std::string_view line = value.substr(0, nl);
    if (!line.empty()) out.emplace(line);
    if (nl == std::string_view::npos) break;
    value.remove_prefix(nl + 1);
  }
  return out;
}

Result<std::unique_ptr<S3PollSource>> S3PollSource::Create(std::unique_ptr<aws::S3Client> client,
                                                           S3PollOptions options,
                                                           state::StateStore* store,
                                                           const Clock& clock) {
  if (client == nullptr || store == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "s3 source: needs an S3 client and a state store");
  }
  if (options.location.bucket.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "s3 source: `bucket` is empty");
  }
  if (options.interval.count() <= 0 || options.lookback.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument,
                "s3 source: `interval` and `lookback` must be positive");
  }
  if (!options.warn) options.warn = WarnToStderr;
  return std::unique_ptr<S3PollSource>(
      new S3PollSource(std::move(client), std::move(options), store, clock));
}

S3PollSource::S3PollSource(std::unique_ptr<aws::S3Client> client, S3PollOptions options,
                           state::StateStore* store, const Clock& clock)
    : client_(std::move(client)), options_(std::move(options)), store_(store), clock_(clock) {}

size_t S3PollSource::pending() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

Result<std::set<std::string>*> S3PollSource::DoneSet(const std::string& folder) {
  auto it = done_.find(folder);
  if (it != done_.end()) return &it->second;
  auto value = store_->LoadCheckpoint(options_.name, folder);
  if (!value) return tl::unexpected(value.error());
  auto& set = done_[folder];
  if (*value) set = DecodeDone(**value);
  return &set;
}

Result<void> S3PollSource::PollNow() { return Poll(); }

Result<void> S3PollSource::Poll() {
  const std::string context =
      "s3 source s3://" + options_.location.bucket + "/" + options_.location.prefix;
  auto found =
      DiscoverCloudTrailPrefixes(*client_, options_.location, options_.accounts, options_.regions);
  if (!found) return Fail(found.error().code, context + ": " + found.error().message);
  // The day folders within the lookback, oldest first (UTC dates of the wall clock).
  const auto now = clock_.Now();
  const auto first_day = std::chrono::floor<std::chrono::days>(now - options_.lookback);
  const auto last_day = std::chrono::floor<std::chrono::days>(now);
  std::vector<std::string> prefixes;
  if (found->layout) {
    for (const std::string& region : found->region_prefixes) {
      for (auto day = first_day; day <= last_day; day += std::chrono::days(1)) {
        const std::string folder = region + DayPath(day);
        if (PrefixesOverlap(folder, options_.location.prefix)) {
          prefixes.push_back(
              folder.size() >= options_.location.prefix.size() ? folder : options_.location.prefix);
        }
      }
    }
  } else {
    prefixes.push_back(options_.location.prefix);
  }
  std::vector<std::string> keys;
  for (const std::string& prefix : prefixes) {
    aws::ListObjectsV2Request request;
    request.bucket = options_.location.bucket;
    request.prefix = prefix;
    auto listed = client_->ListAll(request, [&](const aws::ListObjectsV2Page& page) {
      for (const aws::S3Object& o : page.objects) {
        if (!o.key.ends_with('/') && !IsDigestKey(o.key)) keys.push_back(o.key);
      }
      return true;
    });
    if (!listed) return Fail(listed.error().code, context + ": " + listed.error().message);
  }
  std::lock_guard lock(mu_);
  for (const std::string& key : keys) {
    if (queued_.count(key) != 0) continue;
    const std::string folder = Folder(key);
    auto done = DoneSet(folder);
    if (!done) return Fail(done.error().code, context + ": state: " + done.error().message);
    if ((*done)->count(BaseName(key)) != 0) continue;
    queued_.insert(key);
    pending_.push_back(Pending{folder, key});
  }
  // Forget the sets of day folders that fell out of the lookback (not in flight).
  for (auto it = done_.begin(); it != done_.end();) {
    auto day = KeyDay(it->first + "x");
    if (day && *day < first_day && in_flight_folders_.count(it->first) == 0) {
      it = done_.erase(it);
    } else {
      ++it;
    }
  }
  return Ok();
}

Result<std::optional<Batch>> S3PollSource::Next(const std::atomic<bool>& stop) {
  for (;;) {
    if (stop.load()) return std::optional<Batch>();
    std::optional<Pending> take;
    bool poll = false;
    {
      std::unique_lock lock(mu_);
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (in_flight_folders_.count(it->folder) == 0) {
          take = std::move(*it);
          pending_.erase(it);
          in_flight_folders_.insert(take->folder);
          break;
        }
      }
      if (!take) {
        const auto mono = clock_.Monotonic();
        if (!next_poll_ || mono >= *next_poll_) {
          poll = true;
          next_poll_ = mono + options_.interval;
        } else {
          cv_.wait_for(lock, std::chrono::milliseconds(100));
          continue;
        }
      }
    }
    if (poll) {
      if (auto polled = Poll(); !polled)
        options_.warn(polled.error().message + " (retrying at the next poll)");
      continue;
    }
    // Fetch outside the lock.
    const std::string& bucket = options_.location.bucket;
    auto body = client_->GetObject(bucket, take->key);
    if (!body && (body.error().code == ErrorCode::kUnavailable ||
                  body.error().code == ErrorCode::kResourceExhausted)) {
      options_.warn(body.error().message + " (retrying at the next poll)");
      std::lock_guard lock(mu_);
      in_flight_folders_.erase(take->folder);
      queued_.erase(take->key);
      cv_.notify_all();
      continue;
    }
    Batch batch;
    batch.input = "s3://" + bucket + "/" + take->key;
    if (body) {
      batch.documents.push_back(std::move(*body));
    } else {
      batch.error = body.error();
    }
    std::lock_guard lock(mu_);
    auto done = DoneSet(take->folder);
    if (!done) {
      in_flight_folders_.erase(take->folder);
      queued_.erase(take->key);
      return Fail(done.error().code, "s3 source: state: " + done.error().message);
    }
    std::set<std::string> after = **done;
    after.insert(BaseName(take->key));
    batch.checkpoint = state::Checkpoint{options_.name, take->folder, EncodeDone(after)};
    batch.handle = next_handle_++;
    handed_out_.emplace(batch.handle, std::move(*take));
    return std::optional<Batch>(std::move(batch));
  }
}

void S3PollSource::Ack(const Batch& batch) {
  std::lock_guard lock(mu_);
  auto it = handed_out_.find(batch.handle);
  if (it == handed_out_.end()) return;
  done_[it->second.folder].insert(BaseName(it->second.key));
  in_flight_folders_.erase(it->second.folder);
  queued_.erase(it->second.key);
  handed_out_.erase(it);
  cv_.notify_all();
}

void S3PollSource::Nack(const Batch& batch, const Error& error) {
  (void)error;
  std::lock_guard lock(mu_);
  auto it = handed_out_.find(batch.handle);
  if (it == handed_out_.end()) return;
  in_flight_folders_.erase(it->second.folder);
  queued_.erase(it->second.key);  // listed again at the next poll
  handed_out_.erase(it);
  cv_.notify_all();
}

}  // namespace tw::sources
