// S3PollSource: the `watch` source `{type: s3, bucket: B, prefix: AWSLogs/, lookback: 2d,
// interval: 60s}`. Every `interval` it lists the CloudTrail day folders of the last `lookback`
// and hands out, one Batch each, the log files it has not processed yet.
//
// CloudTrail delivers files late and out of key order, so there is no StartAfter marker (a peer
// that keeps one skips a late file whose key sorts before the marker). Instead the source
// remembers, per day folder (".../CloudTrail/<region>/YYYY/MM/DD/"), the names of the files
// whose alerts are committed: the checkpoint of key <day folder> under the source's name, its
// value the file names, one per line, sorted. A batch's checkpoint is that set plus its own
// file, committed with its alerts (StateStore::Commit), so a crash loses nothing and repeats
// nothing. To keep that exact, at most one file per day folder is in flight at a time (files of
// other folders go meanwhile); Ack adds the file to the set, Nack leaves it for the next poll.
// Folders older than the lookback are no longer listed, and their sets are dropped from memory
// (their rows stay in the store).
//
// Folder discovery is DiscoverCloudTrailPrefixes (s3_scan_source.h), redone on each poll so new
// accounts and regions are picked up; `accounts`/`regions` filter. Digest files are skipped.
// Failures: a listing failure or a transient GetObject failure (kUnavailable,
// kResourceExhausted: S3 5xx/throttling after the client's retries) is reported through `warn`
// and retried at the next poll; any other GetObject failure (NoSuchKey, AccessDenied) is a
// Batch with `error` set, reported and then remembered as processed.
//
// Time: the day folders come from the Clock's wall time (UTC); waits use the condition
// variable with 100 ms slices so `stop` is seen promptly.
//
// Ownership and thread-safety: owns its S3Client; borrows the StateStore and the Clock, which
// must outlive it. Next/Ack/Nack may be called from any threads; one mutex guards the state, and
// objects are fetched outside it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aws/s3_client.h"
#include "common/clock.h"
#include "sources/s3/cloudtrail_layout.h"
#include "sources/source.h"
#include "state/state_store.h"

namespace tw::sources {

struct S3PollOptions {
  std::string name = "s3";
  S3Location location;  // bucket, and the prefix above AWSLogs/ or within it
  std::chrono::seconds lookback{2 * 86400};
  std::chrono::seconds interval{60};
  std::vector<std::string> accounts;
  std::vector<std::string> regions;
  // Warnings (listing failures, transient fetch failures). Default: a line on stderr.
  std::function<void(const std::string&)> warn;
};

class S3PollSource final : public Source {
 public:
  // kInvalidArgument for an empty bucket, a zero interval or lookback, or a null store.
  [[nodiscard]] static Result<std::unique_ptr<S3PollSource>> Create(
      std::unique_ptr<aws::S3Client> client, S3PollOptions options, state::StateStore* store,
      const Clock& clock);

  const std::string& name() const override { return options_.name; }
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  void Ack(const Batch& batch) override;
  void Nack(const Batch& batch, const Error& error) override;

  // Polls now (tests): lists and queues new keys. Normally Next() polls every `interval`.
  [[nodiscard]] Result<void> PollNow();
  // Files listed and not yet handed out.
  size_t pending() const;

  // The checkpoint value of a set of file names, and back (one name per line, sorted).
  static std::string EncodeDone(const std::set<std::string>& names);
  static std::set<std::string> DecodeDone(std::string_view value);

 private:
  struct Pending {
    std::string folder;  // the day folder, "" outside the layout
    std::string key;
  };
  S3PollSource(std::unique_ptr<aws::S3Client> client, S3PollOptions options,
               state::StateStore* store, const Clock& clock);
  Result<void> Poll();  // without mu_ held
  // With mu_ held: the done set of `folder`, loaded from the store on first use.
  Result<std::set<std::string>*> DoneSet(const std::string& folder);

  std::unique_ptr<aws::S3Client> client_;
  S3PollOptions options_;
  state::StateStore* store_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, std::set<std::string>> done_;  // folder -> file names committed
  std::set<std::string> in_flight_folders_;
  std::set<std::string> queued_;  // keys in pending_ or in flight
  std::deque<Pending> pending_;
  std::optional<Clock::MonoTime> next_poll_;  // nullopt: poll at once
  std::map<uint64_t, Pending> handed_out_;
  uint64_t next_handle_ = 1;
};

}  // namespace tw::sources
