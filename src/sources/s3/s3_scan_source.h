// S3ScanSource: `trailwatch scan s3://bucket/prefix`, every CloudTrail log file in a bucket
// range, each object one Batch, fetched in parallel and handed out in key order.
//
// Listing (never the whole bucket when the layout is recognised; cloudtrail_layout.h):
//   1. DiscoverCloudTrailPrefixes finds the region folders with delimiter listings:
//      <root>AWSLogs/ -> accounts (and o-xxxx organisation folders -> accounts) ->
//      <account>/CloudTrail/ -> regions. `accounts` and `regions` filter (with `regions` given,
//      the region level is not even listed), and every folder must overlap the URI's prefix, so
//      s3://b/AWSLogs/111122223333/CloudTrail/us-east-1/2024/ narrows the walk too.
//   2. With a day range, only the day folders <region>/YYYY/MM/DD/ from `first_day` through
//      `last_day` + 1 are listed: a file holds events from before its delivery date only, and
//      the extra day catches events delivered after midnight (the event-time filter of `scan`
//      keeps the exact range). Without `first_day` the region folder is listed whole (and, with
//      `last_day`, keys of later days are dropped by their date).
//   CloudTrail-Digest/ folders are never listed in the layout. When the prefix is not in the
//   layout (no AWSLogs/ below it), every object under it is listed and digest files found by
//   name are skipped and counted (digests_skipped()).
// Fetching: `fetch_concurrency` threads GET objects ahead of the pipeline, at most that many
// objects beyond the one the pipeline will take next, so memory holds at most
// `fetch_concurrency` fetched objects (plus those the pipeline's workers are decoding) whatever
// the size of the range. Next() hands them out in listing order (accounts, regions, days and
// keys in S3's order), so `scan --threads N` output does not depend on download order. An
// object that cannot be fetched is a Batch with `error` set ("S3 GetObject s3://b/k:
// AccessDenied: ..."); a listing failure fails Next() (the scan reports it and exits 1).
//
// Batch::input is "s3://bucket/key". No checkpoint (scan keeps no progress).
//
// Ownership and thread-safety: the S3Client and the Clock are borrowed and must outlive the
// source. Next may be called from several threads (the pipeline serialises it when ordered);
// the counters may be read from any thread. The destructor stops and joins the threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "aws/s3_client.h"
#include "common/clock.h"
#include "sources/s3/cloudtrail_layout.h"
#include "sources/source.h"

namespace tw::sources {

// The region folders (".../<account>/CloudTrail/<region>/") under `location`, in name order.
// `layout` false: no AWSLogs/ folder was found, or the prefix lies outside the layout (beside
// the CloudTrail/ folders, e.g. in CloudTrail-Digest/, or not ending at a folder);
// `region_prefixes` is then empty and the caller lists `location.prefix` itself.
struct CloudTrailPrefixes {
  bool layout = false;
  std::vector<std::string> region_prefixes;
};
[[nodiscard]] Result<CloudTrailPrefixes> DiscoverCloudTrailPrefixes(
    aws::S3Client& client, const S3Location& location, const std::vector<std::string>& accounts,
    const std::vector<std::string>& regions);

struct S3ScanOptions {
  S3Location location;
  std::optional<std::chrono::sys_days> first_day;  // --since's date
  std::optional<std::chrono::sys_days> last_day;   // --until's last included date
  std::vector<std::string> accounts;               // --account (empty: all)
  std::vector<std::string> regions;                // --region (empty: all)
  int fetch_concurrency = 8;
  std::string name = "s3";
};

class S3ScanSource final : public Source {
 public:
  // kInvalidArgument for fetch_concurrency < 1 or an account that is not 12 digits. Starts the
  // lister and fetch threads.
  [[nodiscard]] static Result<std::unique_ptr<S3ScanSource>> Create(aws::S3Client& client,
                                                                    S3ScanOptions options,
                                                                    const Clock& clock);
  ~S3ScanSource() override;

  const std::string& name() const override { return options_.name; }
  [[nodiscard]] Result<std::optional<Batch>> Next(const std::atomic<bool>& stop) override;
  void Ack(const Batch& batch) override { (void)batch; }

  uint64_t objects_listed() const { return listed_.load(); }
  uint64_t objects_fetched() const { return fetched_.load(); }
  uint64_t bytes_fetched() const { return bytes_.load(); }
  uint64_t digests_skipped() const { return digests_.load(); }
  bool listing_done() const { return listing_done_.load(); }

 private:
  S3ScanSource(aws::S3Client& client, S3ScanOptions options, const Clock& clock);
  void ListAll();    // the lister thread
  void FetchLoop();  // each fetch thread
  Result<void> ListKeys(const std::string& prefix, std::optional<std::chrono::sys_days> last);
  bool PushKey(std::string key);  // false when shutting down

  aws::S3Client& client_;
  const S3ScanOptions options_;
  const Clock& clock_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> keys_;     // listed, not yet taken by a fetcher
  uint64_t keys_pushed_ = 0;         // sequence number of the next listed key
  uint64_t next_fetch_ = 0;          // sequence number of the next key to fetch
  uint64_t next_out_ = 0;            // sequence number Next() hands out next
  std::map<uint64_t, Batch> ready_;  // fetched, waiting for their turn
  std::optional<Error> list_error_;
  bool shutdown_ = false;
  std::atomic<bool> listing_done_{false};
  std::atomic<uint64_t> listed_{0}, fetched_{0}, bytes_{0}, digests_{0};
  std::vector<std::thread> threads_;
};

}  // namespace tw::sources
