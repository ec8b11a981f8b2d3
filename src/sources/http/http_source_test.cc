#include "sources/http/http_source.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace tw::sources {
namespace {

// Stands in for the pipeline: takes batches and answers each with `decide` (true: Ack).
class FakePipeline {
 public:
  FakePipeline(HttpSource& source, std::function<bool(const Batch&)> decide)
      : source_(source), decide_(std::move(decide)) {
    thread_ = std::thread([this] {
      for (;;) {
        auto batch = source_.Next(stop_);
        if (!batch || !*batch) return;
        {
          std::lock_guard lock(mu_);
          batches_.push_back(**batch);
        }
        if (decide_(**batch)) {
          source_.Ack(**batch);
        } else {
          source_.Nack(**batch, Error{ErrorCode::kIo, "disk full"});
        }
      }
    });
  }
  ~FakePipeline() {
    stop_ = true;
    thread_.join();
  }
  std::vector<Batch> batches() {
    std::lock_guard lock(mu_);
    return batches_;
  }

 private:
  HttpSource& source_;
  std::function<bool(const Batch&)> decide_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Batch> batches_;
  std::thread thread_;
};

const char* kToken = "s3cret-token";
const char* kRecord =
    R"({"eventVersion":"1.08","eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"})";

class HttpSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpSource> Make(HttpOptions options = {}) {
    options.listen = "127.0.0.1:0";
    if (options.token.empty() && options.access_key.empty()) options.token = kToken;
    auto source = HttpSource::Create(options, clock_);
    EXPECT_TRUE(source.has_value()) << (source ? "" : source.error().ToString());
    return source ? std::move(*source) : nullptr;
  }
  httplib::Headers Bearer(const std::string& token = kToken) {
    return {{"Authorization", "Bearer " + token}};
  }
  // A Firehose delivery as AWS documents it, with `records` already base64-encoded.
  static std::string FirehoseBody(const std::vector<std::string>& base64_records) {
    std::string body =
        R"({"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1578090901599,"records":[)";
    for (size_t i = 0; i < base64_records.size(); ++i) {
      if (i > 0) body += ',';
      body += R"({"data":")" + base64_records[i] + R"("})";
    }
    return body + "]}";
  }
  static httplib::Headers FirehoseHeaders(const std::string& key) {
    return {{"X-Amz-Firehose-Request-Id", "ed4acda5-034f-9f42-bba1-f29aea6d7d8f"},
            {"X-Amz-Firehose-Protocol-Version", "1.0"},
            {"X-Amz-Firehose-Access-Key", key}};
  }

  FakeClock clock_;  // 1'790'000'000 s after the epoch
};

TEST_F(HttpSourceTest, CreateRejectsBadOptions) {
  HttpOptions no_secret;
  no_secret.listen = "127.0.0.1:0";
  EXPECT_FALSE(HttpSource::Create(no_secret, clock_).has_value());
  HttpOptions bad_listen;
  bad_listen.token = kToken;
  bad_listen.listen = "localhost";
  EXPECT_FALSE(HttpSource::Create(bad_listen, clock_).has_value());
  HttpOptions half_tls;
  half_tls.token = kToken;
  half_tls.listen = "127.0.0.1:0";
  half_tls.tls_cert_file = "/nonexistent.pem";
  EXPECT_FALSE(HttpSource::Create(half_tls, clock_).has_value());
}

TEST_F(HttpSourceTest, RequiresTheBearerToken) {
  auto source = Make();
  FakePipeline pipeline(*source, [](const Batch&) { return true; });
  httplib::Client client("127.0.0.1", source->port());
  auto none = client.Post("/", kRecord, "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  auto wrong = client.Post("/", Bearer("s3cret-tokeN"), kRecord, "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto prefix = client.Post("/", Bearer("s3cret"), kRecord, "application/json");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->status, 401);
  EXPECT_TRUE(pipeline.batches().empty());

  auto good = client.Post("/events", Bearer(), kRecord, "application/json");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
  auto batches = pipeline.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].input, "http");
  ASSERT_EQ(batches[0].documents.size(), 1u);
  EXPECT_EQ(batches[0].documents[0], kRecord);
  EXPECT_TRUE(batches[0].checkpoint.source.empty());
}

TEST_F(HttpSourceTest, AnswersOnlyAfterAckAnd500OnNack) {
  auto source = Make();
  FakePipeline pipeline(
      *source, [](const Batch& b) { return b.documents[0].find("fail") == std::string::npos; });
  httplib::Client client("127.0.0.1", source->port());
  auto ok = client.Post("/", Bearer(), "{\"Records\":[]}", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  // The pipeline saw the batch before the client got its answer.
  EXPECT_EQ(pipeline.batches().size(), 1u);
  auto failed = client.Post("/", Bearer(), "{\"fail\":1}", "application/json");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_NE(failed->body.find("disk full"), std::string::npos) << failed->body;
}

TEST_F(HttpSourceTest, FirehoseDeliveryWithTheAccessKey) {
  HttpOptions options;
  options.access_key = "firehose-key";
  auto source = Make(options);
  FakePipeline pipeline(*source, [](const Batch&) { return true; });
  httplib::Client client("127.0.0.1", source->port());
  // base64("{\"a\":1}") = eyJhIjoxfQ== ; base64("hello\n") = aGVsbG8K
  const std::string body = FirehoseBody({"eyJhIjoxfQ==", "aGVsbG8K"});
  auto wrong = client.Post("/", FirehoseHeaders("other-key"), body, "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body,
            R"({"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1790000000000,)"
            R"("errorMessage":"missing or wrong credentials"})");

  auto ok = client.Post("/", FirehoseHeaders("firehose-key"), body, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(ok->body,
            R"({"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":1790000000000})");
  auto batches = pipeline.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].input, "firehose");
  EXPECT_EQ(batches[0].documents, (std::vector<std::string>{"{\"a\":1}", "hello\n"}));
}

TEST_F(HttpSourceTest, FirehoseGzipBodyIsInflated) {
  HttpOptions options;
  options.access_key = "firehose-key";
  auto source = Make(options);
  FakePipeline pipeline(*source, [](const Batch&) { return true; });
  httplib::Client client("127.0.0.1", source->port());
  client.set_compress(true);  // Content-Encoding: gzip, as Firehose sends with compression on
  auto ok = client.Post("/", FirehoseHeaders("firehose-key"), FirehoseBody({"eyJhIjoxfQ=="}),
                        "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto batches = pipeline.batches();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].documents, (std::vector<std::string>{"{\"a\":1}"}));
}

TEST_F(HttpSourceTest, FirehoseBadBodyIs400InFirehoseForm) {
  HttpOptions options;
  options.access_key = "firehose-key";
  auto source = Make(options);
  FakePipeline pipeline(*source, [](const Batch&) { return true; });
  httplib::Client client("127.0.0.1", source->port());
  auto no_records = client.Post("/", FirehoseHeaders("firehose-key"), R"({"requestId":"r1"})",
                                "application/json");
  ASSERT_TRUE(no_records);
  EXPECT_EQ(no_records->status, 400);
  EXPECT_NE(no_records->body.find(R"("errorMessage":"records is missing or not an array")"),
            std::string::npos)
      << no_records->body;
  auto bad_base64 =
      client.Post("/", FirehoseHeaders("firehose-key"), FirehoseBody({"***"}), "application/json");
  ASSERT_TRUE(bad_base64);
  EXPECT_EQ(bad_base64->status, 400);
  EXPECT_TRUE(pipeline.batches().empty());
}

TEST_F(HttpSourceTest, BodyOverTheLimitIs413OnTheWireAndInflated) {
  HttpOptions options;
  options.max_body_bytes = 1000;
  auto source = Make(options);
  FakePipeline pipeline(*source, [](const Batch&) { return true; });
  httplib::Client client("127.0.0.1", source->port());
  auto fits = client.Post("/", Bearer(), std::string(1000, ' '), "application/json");
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->status, 200);
  auto wire = client.Post("/", Bearer(), std::string(1001, ' '), "application/json");
  ASSERT_TRUE(wire);
  EXPECT_EQ(wire->status, 413);
  // 100 kB of spaces gzip to a few hundred bytes: under the limit on the wire, not inflated.
  httplib::Client gzip_client("127.0.0.1", source->port());
  gzip_client.set_compress(true);
  auto inflated = gzip_client.Post("/", Bearer(), std::string(100'000, ' '), "application/json");
  ASSERT_TRUE(inflated);
  EXPECT_EQ(inflated->status, 413);
  EXPECT_EQ(pipeline.batches().size(), 1u);
}

TEST_F(HttpSourceTest, FirehoseOversizedBodyIs413InFirehoseForm) {
  HttpOptions options;
  options.access_key = "firehose-key";
  options.max_body_bytes = 100;
  auto source = Make(options);
  httplib::Client client("127.0.0.1", source->port());
  auto big =
      client.Post("/", FirehoseHeaders("firehose-key"), std::string(500, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find(R"({"requestId":"ed4acda5-034f-9f42-bba1-f29aea6d7d8f","timestamp":)"),
            std::string::npos)
      << big->body;
}

TEST_F(HttpSourceTest, RequestsBeyondTheConcurrencyLimitGet503) {
  HttpOptions options;
  options.max_concurrent_requests = 1;
  auto source = Make(options);
  // Take the first batch by hand and hold it unanswered.
  std::thread first([&] {
    httplib::Client client("127.0.0.1", source->port());
    auto response = client.Post("/", Bearer(), "{\"first\":1}", "application/json");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  });
  std::atomic<bool> stop{false};
  auto batch = source->Next(stop);
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  httplib::Client client("127.0.0.1", source->port());
  auto second = client.Post("/", Bearer(), "{\"second\":1}", "application/json");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  EXPECT_EQ(second->get_header_value("Retry-After"), "1");
  source->Ack(**batch);
  first.join();
}

TEST_F(HttpSourceTest, ShutdownAnswersAWaitingRequest503) {
  auto source = Make();
  std::atomic<int> status{0};
  std::thread request([&, port = source->port()] {
    httplib::Client client("127.0.0.1", port);
    auto response = client.Post("/", Bearer(), "{\"a\":1}", "application/json");
    if (response) status = response->status;
  });
  std::atomic<bool> stop{false};
  auto batch = source->Next(stop);  // the request is now waiting for its Ack
  ASSERT_TRUE(batch.has_value() && batch->has_value());
  source.reset();
  request.join();
  EXPECT_EQ(status.load(), 503);
}

TEST_F(HttpSourceTest, HealthzNeedsNoToken) {
  auto source = Make();
  httplib::Client client("127.0.0.1", source->port());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok");
}

TEST_F(HttpSourceTest, ServesTls) {
  char tmpl[] = "/tmp/tw_http_tls_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + dir +
      "/key.pem -out " + dir + "/cert.pem >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) GTEST_SKIP() << "no openssl command";
  HttpOptions options;
  options.tls_cert_file = dir + "/cert.pem";
  options.tls_key_file = dir + "/key.pem";
  auto source = Make(options);
  ASSERT_TRUE(source->tls());
  FakePipeline pipeline(*source, [](const Batch&) { return true; });
  httplib::SSLClient client("127.0.0.1", source->port());
  client.set_ca_cert_path((dir + "/cert.pem").c_str());
  client.enable_server_certificate_verification(true);
  auto ok = client.Post("/", Bearer(), kRecord, "application/json");
  ASSERT_TRUE(ok) << httplib::to_string(ok.error());
  EXPECT_EQ(ok->status, 200);
  // Plain HTTP to the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", source->port());
  EXPECT_FALSE(plain.Post("/", Bearer(), kRecord, "application/json"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tw::sources
