#include "sources/s3/s3_scan_source.h"

#include <algorithm>

namespace tw::sources {
namespace {

// Listed keys waiting for a fetcher; the lister pauses beyond this many.
constexpr size_t kMaxQueuedKeys = 10'000;

std::string LastComponent(std::string_view folder) {
  if (folder.ends_with('/')) folder.remove_suffix(1);
  const size_t slash = folder.rfind('/');
  return std::string(slash == std::string_view::npos ? folder : folder.substr(slash + 1));
}

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

Result<CloudTrailPrefixes> DiscoverCloudTrailPrefixes(aws::S3Client& client,
                                                      const S3Location& location,
                                                      const std::vector<std::string>& accounts,
                                                      const std::vector<std::string>& regions) {
  const std::string& full = location.prefix;
  CloudTrailPrefixes out;
  std::string root;
  if (const size_t at = full.find("AWSLogs/");
      at != std::string::npos && (at == 0 || full[at - 1] == '/')) {
    root = full.substr(0, at + 8);
  } else if (full.empty() || full.ends_with('/')) {
    root = full + "AWSLogs/";
  } else {
    return out;  // "s3://b/some-prefix": not a folder, list it as it is
  }
  auto top = client.ListCommonPrefixes(location.bucket, root);
  if (!top) return tl::unexpected(top.error());
  std::vector<std::string> account_dirs;
  for (const std::string& dir : *top) {
    if (!PrefixesOverlap(dir, full)) continue;
    const std::string name = LastComponent(dir);
    if (IsAccountId(name)) {
      account_dirs.push_back(dir);
    } else if (IsOrganizationId(name)) {
      auto members = client.ListCommonPrefixes(location.bucket, dir);
      if (!members) return tl::unexpected(members.error());
      for (const std::string& member : *members) {
        if (PrefixesOverlap(member, full) && IsAccountId(LastComponent(member))) {
          account_dirs.push_back(member);
        }
      }
    }
  }
  if (account_dirs.empty() && top->empty()) return out;  // no AWSLogs/ here
  out.layout = true;
  for (const std::string& dir : account_dirs) {
    if (!accounts.empty() && !Contains(accounts, LastComponent(dir))) continue;
    const std::string trail = dir + "CloudTrail/";
    if (!PrefixesOverlap(trail, full)) continue;
    std::vector<std::string> region_dirs;
    if (!regions.empty()) {
      for (const std::string& r : regions) region_dirs.push_back(trail + r + "/");
    } else {
      auto listed = client.ListCommonPrefixes(location.bucket, trail);
      if (!listed) return tl::unexpected(listed.error());
      region_dirs = std::move(*listed);
    }
    std::sort(region_dirs.begin(), region_dirs.end());
    for (std::string& r : region_dirs) {
      if (PrefixesOverlap(r, full)) out.region_prefixes.push_back(std::move(r));
    }
  }
  // A prefix below an account but beside CloudTrail/ (CloudTrail-Digest/, CloudTrail-Insight/):
  // list it as it is.
  if (out.region_prefixes.empty() && full.size() > root.size()) out.layout = false;
  return out;
}

Result<std::unique_ptr<S3ScanSource>> S3ScanSource::Create(aws::S3Client& client,
                                                           S3ScanOptions options,
                                                           const Clock& clock) {
  if (options.fetch_concurrency < 1) {
    return Fail(ErrorCode::kInvalidArgument, "--fetch-concurrency must be at least 1");
  }
  for (const std::string& a : options.accounts) {
    if (!IsAccountId(a)) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--account `" + a + "`: an AWS account id is 12 digits");
    }
  }
  std::unique_ptr<S3ScanSource> source(new S3ScanSource(client, std::move(options), clock));
  source->threads_.emplace_back([s = source.get()] { s->ListAll(); });
  for (int i = 0; i < source->options_.fetch_concurrency; ++i) {
    source->threads_.emplace_back([s = source.get()] { s->FetchLoop(); });
  }
  return source;
}

S3ScanSource::S3ScanSource(aws::S3Client& client, S3ScanOptions options, const Clock& clock)
    : client_(client), options_(std::move(options)), clock_(clock) {}

S3ScanSource::~S3ScanSource() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool S3ScanSource::PushKey(std::string key) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return shutdown_ || keys_.size() < kMaxQueuedKeys; });
  if (shutdown_) return false;
  keys_.push_back(std::move(key));
  ++keys_pushed_;
  listed_.fetch_add(1);
  cv_.notify_all();
  return true;
}

Result<void> S3ScanSource::ListKeys(const std::string& prefix,
                                    std::optional<std::chrono::sys_days> last) {
  aws::ListObjectsV2Request request;
  request.bucket = options_.location.bucket;
  request.prefix = prefix;
  bool more = true;
  auto listed = client_.ListAll(request, [&](const aws::ListObjectsV2Page& page) {
    for (const aws::S3Object& o : page.objects) {
      if (o.key.ends_with('/')) continue;  // a "folder" placeholder object
      if (IsDigestKey(o.key)) {
        digests_.fetch_add(1);
        continue;
      }
      if (options_.first_day || last) {
        if (auto day = KeyDay(o.key)) {
          if (options_.first_day && *day < *options_.first_day) continue;
          if (last && *day > *last) continue;
        }
      }
      if (!PushKey(o.key)) {
        more = false;
        return false;
      }
    }
    return true;
  });
  if (!listed) return listed;
  (void)more;
  return Ok();
}

void S3ScanSource::ListAll() {
  auto run = [&]() -> Result<void> {
    const std::string& full = options_.location.prefix;
    auto found =
        DiscoverCloudTrailPrefixes(client_, options_.location, options_.accounts, options_.regions);
    if (!found) return tl::unexpected(found.error());
    // The last day folder worth listing: the day after --until's, for late deliveries.
    std::optional<std::chrono::sys_days> last;
    if (options_.last_day) last = *options_.last_day + std::chrono::days(1);
    if (!found->layout) return ListKeys(full, last);
    for (const std::string& region : found->region_prefixes) {
      if (!options_.first_day) {
        auto done = ListKeys(region.size() >= full.size() ? region : full, last);
        if (!done) return done;
        continue;
      }
      const auto today = std::chrono::floor<std::chrono::days>(clock_.Now()) + std::chrono::days(1);
      const auto end = last ? *last : today;
      for (auto day = *options_.first_day; day <= end; day += std::chrono::days(1)) {
        const std::string folder = region + DayPath(day);
        if (!PrefixesOverlap(folder, full)) continue;
        auto done = ListKeys(folder.size() >= full.size() ? folder : full, std::nullopt);
        if (!done) return done;
        std::lock_guard lock(mu_);
        if (shutdown_) return Ok();
      }
    }
    return Ok();
  };
  auto result = run();
  std::lock_guard lock(mu_);
  if (!result) list_error_ = result.error();
  listing_done_.store(true);
  cv_.notify_all();
}

void S3ScanSource::FetchLoop() {
  const uint64_t window = static_cast<uint64_t>(options_.fetch_concurrency);
  for (;;) {
    std::string key;
    uint64_t seq;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] {
        return shutdown_ || (listing_done_.load() && keys_.empty()) ||
               (!keys_.empty() && next_fetch_ < next_out_ + window);
      });
      if (shutdown_ || keys_.empty()) return;
      key = std::move(keys_.front());
      keys_.pop_front();
      seq = next_fetch_++;
      cv_.notify_all();  // the lister may push again
    }
    Batch batch;
    batch.input = "s3://" + options_.location.bucket + "/" + key;
    auto body = client_.GetObject(options_.location.bucket, key);
    if (body) {
      fetched_.fetch_add(1);
      bytes_.fetch_add(body->size());
      batch.documents.push_back(std::move(*body));
    } else {
      batch.error = body.error();
    }
    std::lock_guard lock(mu_);
    ready_.emplace(seq, std::move(batch));
    cv_.notify_all();
  }
}

Result<std::optional<Batch>> S3ScanSource::Next(const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (auto it = ready_.find(next_out_); it != ready_.end()) {
      Batch batch = std::move(it->second);
      ready_.erase(it);
      ++next_out_;
      cv_.notify_all();  // a fetcher may move on
      return std::optional<Batch>(std::move(batch));
    }
    if (listing_done_.load() && next_out_ == keys_pushed_) {
      if (list_error_) {
        Error e = *list_error_;
        list_error_.reset();
        return tl::unexpected(e);
      }
      return std::optional<Batch>();
    }
    if (stop.load()) return std::optional<Batch>();
    cv_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

}  // namespace tw::sources
