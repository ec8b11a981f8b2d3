// S3PollSource and the CloudTrail layout helpers against the in-process S3 fake: the late-file
// case (a file whose key sorts before one already processed still gets processed), checkpoints
// that survive a restart, and the folders listed. Listings are hand-written in the XML shape of
// the S3 API reference (ListObjectsV2).
#include "sources/s3/s3_poll_source.h"

#include <gtest/gtest.h>

#include "aws/testing/fake_http.h"
#include "aws/url.h"
#include "sources/s3/cloudtrail_layout.h"
#include "state/memory/memory_state_store.h"

namespace tw::sources {
namespace {

using aws::testing::FakeHttp;

const std::string kBase = "http://127.0.0.1:9000/ct-bucket?";
const std::string kTrail = "AWSLogs/111122223333/CloudTrail/us-east-1/";
// FakeClock starts at 1790000000 s = 2026-09-21T14:13:20Z; lookback 1d covers the 20th and 21st.
const std::string kDay20 = kTrail + "2026/09/20/";
const std::string kDay21 = kTrail + "2026/09/21/";
const std::string kFileA =
    kDay21 + "111122223333_CloudTrail_us-east-1_20260921T1405Z_aaaaaaaaaaaaaaaa.json.gz";
const std::string kFileB =
    kDay21 + "111122223333_CloudTrail_us-east-1_20260921T1410Z_bbbbbbbbbbbbbbbb.json.gz";

std::string Encode(const std::string& s) { return aws::UriEncode(s); }

std::string Listing(const std::vector<std::string>& keys,
                    const std::vector<std::string>& folders = {}) {
  std::string xml = "<ListBucketResult><Name>ct-bucket</Name><IsTruncated>false</IsTruncated>";
  for (const auto& k : keys) xml += "<Contents><Key>" + k + "</Key><Size>10</Size></Contents>";
  for (const auto& f : folders)
    xml += "<CommonPrefixes><Prefix>" + f + "</Prefix></CommonPrefixes>";
  return xml + "</ListBucketResult>";
}

void Layout(FakeHttp& http) {
  http.On("GET", kBase + "delimiter=%2F&encoding-type=url&list-type=2&prefix=AWSLogs%2F", 200,
          Listing({}, {"AWSLogs/111122223333/"}));
  http.On("GET",
          kBase + "delimiter=%2F&encoding-type=url&list-type=2&prefix=" +
              Encode("AWSLogs/111122223333/CloudTrail/"),
          200, Listing({}, {kTrail}));
  http.On("GET", kBase + "encoding-type=url&list-type=2&prefix=" + Encode(kDay20), 200,
          Listing({}));
}

void DayListing(FakeHttp& http, const std::vector<std::string>& keys) {
  http.On("GET", kBase + "encoding-type=url&list-type=2&prefix=" + Encode(kDay21), 200,
          Listing(keys));
}

std::unique_ptr<S3PollSource> MakeSource(FakeHttp& http, state::StateStore& store,
                                         const Clock& clock, std::vector<std::string>* warnings) {
  aws::S3ClientOptions o;
  o.endpoint =
      *aws::ResolveEndpoint(aws::Service::kS3, "us-east-1",
                            aws::Environment({{"AWS_ENDPOINT_URL", "http://127.0.0.1:9000"}}));
  o.wait = [](std::chrono::milliseconds) {};
  o.random01 = [] { return 0.0; };
  auto client = std::make_unique<aws::S3Client>(
      http.Fetch(),
      [] {
        return Result<aws::Credentials>(
            aws::Credentials{"AKID", "secret", "", std::nullopt, "test"});
      },
      o, clock);
  S3PollOptions options;
  options.location = S3Location{"ct-bucket", "AWSLogs/"};
  options.lookback = std::chrono::hours(24);
  options.interval = std::chrono::seconds(60);
  options.warn = [warnings](const std::string& w) {
    if (warnings) warnings->push_back(w);
  };
  auto made = S3PollSource::Create(std::move(client), std::move(options), &store, clock);
  EXPECT_TRUE(made.has_value());
  return std::move(*made);
}

TEST(S3PollSourceTest, LateFileWhoseKeySortsEarlierIsStillProcessed) {
  FakeClock clock;
  state::MemoryStateStore store(clock);
  FakeHttp http;
  Layout(http);
  DayListing(http, {kFileB});
  http.On("GET", "http://127.0.0.1:9000/ct-bucket/" + kFileB, 200, "B-bytes");
  http.On("GET", "http://127.0.0.1:9000/ct-bucket/" + kFileA, 200, "A-bytes");
  std::vector<std::string> warnings;
  auto source = MakeSource(http, store, clock, &warnings);
  const std::atomic<bool> stop{false};

  auto b = source->Next(stop);
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->input, "s3://ct-bucket/" + kFileB);
  ASSERT_EQ((*b)->documents.size(), 1u);
  EXPECT_EQ((*b)->documents[0], "B-bytes");
  EXPECT_EQ((*b)->checkpoint.source, "s3");
  EXPECT_EQ((*b)->checkpoint.key, kDay21);
  EXPECT_EQ((*b)->checkpoint.value,
            "111122223333_CloudTrail_us-east-1_20260921T1410Z_bbbbbbbbbbbbbbbb.json.gz\n");
  ASSERT_TRUE(store.Commit({}, {(*b)->checkpoint}).has_value());
  source->Ack(**b);

  // A arrives late: its key (14:05) sorts before B's (14:10). A StartAfter marker would skip it.
  DayListing(http, {kFileA, kFileB});
  clock.Advance(std::chrono::seconds(60));
  auto a = source->Next(stop);
  ASSERT_TRUE(a.has_value() && a->has_value());
  EXPECT_EQ((*a)->input, "s3://ct-bucket/" + kFileA);
  EXPECT_EQ((*a)->checkpoint.value,
            "111122223333_CloudTrail_us-east-1_20260921T1405Z_aaaaaaaaaaaaaaaa.json.gz\n"
            "111122223333_CloudTrail_us-east-1_20260921T1410Z_bbbbbbbbbbbbbbbb.json.gz\n");
  ASSERT_TRUE(store.Commit({}, {(*a)->checkpoint}).has_value());
  source->Ack(**a);
  EXPECT_TRUE(warnings.empty());

  // A restart with the same store: both files are remembered, nothing is pending.
  auto again = MakeSource(http, store, clock, &warnings);
  ASSERT_TRUE(again->PollNow().has_value());
  EXPECT_EQ(again->pending(), 0u);
  // Without the committed checkpoints, both would be pending.
  state::MemoryStateStore empty(clock);
  auto fresh = MakeSource(http, empty, clock, &warnings);
  ASSERT_TRUE(fresh->PollNow().has_value());
  EXPECT_EQ(fresh->pending(), 2u);
}

TEST(S3PollSourceTest, OneFileInFlightPerDayFolderAndNackRetries) {
  FakeClock clock;
  state::MemoryStateStore store(clock);
  FakeHttp http;
  Layout(http);
  DayListing(http, {kFileA, kFileB});
  http.On("GET", "http://127.0.0.1:9000/ct-bucket/" + kFileA, 200, "A");
  http.On("GET", "http://127.0.0.1:9000/ct-bucket/" + kFileB, 200, "B");
  auto source = MakeSource(http, store, clock, nullptr);
  const std::atomic<bool> stop{false};
  auto a = source->Next(stop);
  ASSERT_TRUE(a.has_value() && a->has_value());
  EXPECT_EQ((*a)->input, "s3://ct-bucket/" + kFileA);
  EXPECT_EQ(source->pending(), 1u);  // B waits: A of the same folder is in flight
  source->Nack(**a, Error{ErrorCode::kIo, "commit failed"});
  auto b = source->Next(stop);
  ASSERT_TRUE(b.has_value() && b->has_value());
  EXPECT_EQ((*b)->input, "s3://ct-bucket/" + kFileB);
  // B's checkpoint does not claim A, whose commit failed.
  EXPECT_EQ((*b)->checkpoint.value,
            "111122223333_CloudTrail_us-east-1_20260921T1410Z_bbbbbbbbbbbbbbbb.json.gz\n");
  source->Ack(**b);
  clock.Advance(std::chrono::seconds(60));
  auto a2 = source->Next(stop);  // A again, at the next poll
  ASSERT_TRUE(a2.has_value() && a2->has_value());
  EXPECT_EQ((*a2)->input, "s3://ct-bucket/" + kFileA);
}

TEST(CloudTrailLayoutTest, Helpers) {
  auto loc = ParseS3Uri("s3://trail-bucket/AWSLogs/o-abc/");
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->bucket, "trail-bucket");
  EXPECT_EQ(loc->prefix, "AWSLogs/o-abc/");
  EXPECT_FALSE(ParseS3Uri("s3://").has_value());
  EXPECT_TRUE(IsAccountId("123456789012"));
  EXPECT_FALSE(IsAccountId("12345678901"));
  EXPECT_TRUE(IsOrganizationId("o-a1b2c3d4e5"));
  EXPECT_FALSE(IsOrganizationId("o-ABC"));
  EXPECT_TRUE(IsDigestKey("AWSLogs/1/CloudTrail-Digest/us-east-1/2024/01/02/x.json.gz"));
  EXPECT_FALSE(IsDigestKey(kFileA));
  using std::chrono::sys_days;
  using namespace std::chrono;
  EXPECT_EQ(DayPath(sys_days(2024y / 1 / 2)), "2024/01/02/");
  EXPECT_EQ(KeyDay(kFileA), sys_days(2026y / 9 / 21));
  EXPECT_EQ(KeyDay("AWSLogs/1/CloudTrail/us-east-1/2024/13/01/x"), std::nullopt);
  EXPECT_TRUE(PrefixesOverlap("AWSLogs/1/", "AWSLogs/1/CloudTrail/"));
  EXPECT_FALSE(PrefixesOverlap("AWSLogs/1/CloudTrail/", "AWSLogs/1/CloudTrail-Digest/"));
}

}  // namespace
}  // namespace tw::sources
