// The curl HttpClient and the HTTP sinks against the Python stand-in
// (tests/integration/standin/http_standin.py) on 127.0.0.1: real sockets, real timeouts.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>

#include "http/curl_http_client.h"
#include "http/standin_process.h"
#include "sinks/slack/slack_api_sink.h"
#include "sinks/slack/slack_webhook_sink.h"
#include "sinks/slack/test_alert.h"
#include "sinks/webhook/webhook_sink.h"

namespace tw::sinks {
namespace {

using http::CurlHttpClient;
using http::CurlOptions;
using http::testing::Recorded;
using http::testing::RecordedRequests;
using http::testing::StandinProcess;
using std::chrono::milliseconds;

std::unique_ptr<CurlHttpClient> Client(milliseconds total = milliseconds(2000),
                                       size_t max_body = 64 * 1024) {
  CurlOptions options;
  options.connect_timeout = milliseconds(1000);
  options.total_timeout = total;
  options.max_body_bytes = max_body;
  auto client = CurlHttpClient::Create(options);
  EXPECT_TRUE(client);
  return std::move(*client);
}

class StandinTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_GT(standin_.port(), 0) << "the stand-in did not start"; }
  StandinProcess standin_{TW_STANDIN};
  FakeClock clock_;
};

TEST_F(StandinTest, CurlClientPostsAndReusesTheConnection) {
  auto client = Client();
  for (int i = 0; i < 3; ++i) {
    auto r = client->Send({"POST",
                           standin_.Url("/services/T/B/X"),
                           {{"Content-Type", "application/json"}, {"X-Probe", "yes"}},
                           "{\"text\":\"hi\"}"});
    ASSERT_TRUE(r) << r.error().ToString();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
    ASSERT_NE(r->FindHeader("content-type"), nullptr);
    EXPECT_EQ(*r->FindHeader("content-type"), "text/html");
  }
  const auto recorded = RecordedRequests(standin_);
  ASSERT_EQ(recorded.size(), 3u);
  EXPECT_EQ(recorded[0].body, "{\"text\":\"hi\"}");
  EXPECT_EQ(recorded[0].headers.at("X-Probe"), "yes");
  EXPECT_EQ(recorded[0].headers.at("User-Agent"), "trailwatch/0.1");
  // One TCP connection for all three requests.
  EXPECT_EQ(recorded[1].client_port, recorded[0].client_port);
  EXPECT_EQ(recorded[2].client_port, recorded[0].client_port);
}

TEST_F(StandinTest, CurlClientTimesOutOnAHangingServer) {
  ASSERT_TRUE(standin_.Script(R"([{"hang":true,"seconds":5}])"));
  auto client = Client(milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto r = client->Send({"POST", standin_.Url("/services/T/B/X"), {}, "{}"});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().ToString();
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_GE(took, milliseconds(250));
}

TEST_F(StandinTest, CurlClientBoundsTheBody) {
  ASSERT_TRUE(standin_.Script("[{\"status\":200,\"body\":\"" + std::string(100'000, 'x') + "\"}]"));
  auto client = Client(milliseconds(2000), 1000);
  auto r = client->Send({"GET", standin_.Url("/big"), {}, ""});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->body.size(), 1000u);
  EXPECT_TRUE(r->body_truncated);
}

TEST_F(StandinTest, CurlClientHonoursHttpProxyAndNoProxy) {
  // libcurl reads the proxy environment per transfer; the stand-in then receives the request
  // with an absolute URI, as a proxy does.
  ::setenv("http_proxy", standin_.Url("").c_str(), 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  auto client = Client();
  auto via_proxy = client->Send({"GET", "http://alerts.trailwatch.invalid/x", {}, ""});
  ::setenv("no_proxy", "alerts.trailwatch.invalid", 1);
  auto direct = client->Send({"GET", "http://alerts.trailwatch.invalid/x", {}, ""});
  ::unsetenv("http_proxy");
  ::unsetenv("no_proxy");
  ASSERT_TRUE(via_proxy) << via_proxy.error().ToString();
  EXPECT_EQ(via_proxy->status, 200);
  const auto recorded = RecordedRequests(standin_);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].path, "http://alerts.trailwatch.invalid/x");
  // Exempt by no_proxy: a direct connection to a host that does not resolve.
  ASSERT_FALSE(direct);
  EXPECT_EQ(direct.error().code, ErrorCode::kUnavailable);
}

TEST_F(StandinTest, SlackWebhookSinkThrough429And500AndAHangThenSuccess) {
  ASSERT_TRUE(standin_.Script(R"([{"status":429,"headers":{"Retry-After":"1"}},
                                  {"status":500},
                                  {"hang":true,"seconds":5},
                                  {"status":200}])"));
  slack::SlackWebhookOptions options;
  options.webhook_url = standin_.Url("/services/T0/B0/XXXX");
  auto sink = slack::SlackWebhookSink::Create(options, Client(milliseconds(400)), clock_);
  ASSERT_TRUE(sink);
  const alert::Alert a = testing::SampleAlert();
  const DeliveryResult r429 = (*sink)->Deliver(a, "");
  EXPECT_EQ(r429.status, DeliveryStatus::kRetry);
  EXPECT_EQ(r429.retry_after, milliseconds(1000));
  EXPECT_EQ(r429.error, "HTTP 429: rate_limited");
  const DeliveryResult r500 = (*sink)->Deliver(a, "");
  EXPECT_EQ(r500.status, DeliveryStatus::kRetry);
  EXPECT_EQ(r500.error, "HTTP 500: rollup_error");
  const DeliveryResult hang = (*sink)->Deliver(a, "");
  EXPECT_EQ(hang.status, DeliveryStatus::kRetry);
  EXPECT_NE(hang.error.find("unavailable"), std::string::npos) << hang.error;
  EXPECT_EQ((*sink)->Deliver(a, "").status, DeliveryStatus::kDelivered);
  const auto recorded = RecordedRequests(standin_);
  ASSERT_EQ(recorded.size(), 4u);
  for (const Recorded& r : recorded) {
    EXPECT_EQ(r.path, "/services/T0/B0/XXXX");
    EXPECT_EQ(r.body, recorded[0].body);  // the same message every attempt
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(recorded[3].body).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(doc["text"].get_string().value()),
            "HIGH: Console sign-in failure: ConsoleLogin by alice in 111122223333");
}

TEST_F(StandinTest, SlackApiSinkPostsThreadsUpdatesAndSendsADirectMessage) {
  slack::SlackApiOptions options;
  options.token = "xoxb-integration";
  options.channel = "C0SECURITY";
  options.api_url = standin_.Url("/api");
  options.dm_rules = {"console-login-failure"};
  auto sink = slack::SlackApiSink::Create(options, Client(), clock_);
  ASSERT_TRUE(sink);
  alert::Alert first = testing::SampleAlert();
  first.actor_email = "alice@example.com";
  const DeliveryResult posted = (*sink)->Deliver(first, "");
  ASSERT_EQ(posted.status, DeliveryStatus::kDelivered) << posted.error;
  ASSERT_TRUE(posted.sink_ref.starts_with("C0SECURITY ")) << posted.sink_ref;
  EXPECT_EQ(posted.sink_ref.find('\t'), std::string::npos) << posted.sink_ref;  // DM went fine

  alert::Alert repeat = testing::SampleAlert();
  repeat.dedupe_count = 2;
  const DeliveryResult threaded = (*sink)->Deliver(repeat, posted.sink_ref);
  ASSERT_EQ(threaded.status, DeliveryStatus::kDelivered) << threaded.error;
  EXPECT_NE(threaded.sink_ref, posted.sink_ref);

  ASSERT_TRUE(standin_.Script(R"([{"slack_error":"channel_not_found"},
                                  {"status":429,"headers":{"Retry-After":"3"}}])"));
  const DeliveryResult gone = (*sink)->Deliver(testing::SampleAlert(), "");
  EXPECT_EQ(gone.status, DeliveryStatus::kPermanent);
  EXPECT_NE(gone.error.find("channel_not_found"), std::string::npos);
  const DeliveryResult limited = (*sink)->Deliver(testing::SampleAlert(), "");
  EXPECT_EQ(limited.status, DeliveryStatus::kRetry);
  EXPECT_EQ(limited.retry_after, milliseconds(3000));

  const auto recorded = RecordedRequests(standin_);
  std::vector<std::string> paths;
  for (const Recorded& r : recorded) paths.push_back(r.method + " " + r.path);
  EXPECT_EQ(paths, (std::vector<std::string>{
                       "POST /api/chat.postMessage",
                       "GET /api/users.lookupByEmail?email=alice%40example.com",
                       "POST /api/conversations.open",
                       "POST /api/chat.postMessage",  // the DM
                       "POST /api/chat.postMessage",  // the thread reply
                       "POST /api/chat.update",
                       "POST /api/chat.postMessage",
                       "POST /api/chat.postMessage",
                   }));
  for (const Recorded& r : recorded) {
    EXPECT_EQ(r.headers.at("Authorization"), "Bearer xoxb-integration");
  }
  const std::string ts = posted.sink_ref.substr(posted.sink_ref.find(' ') + 1);
  EXPECT_NE(recorded[3].body.find("\"channel\":\"D"), std::string::npos) << recorded[3].body;
  EXPECT_NE(recorded[4].body.find("\"thread_ts\":\"" + ts + "\""), std::string::npos);
  EXPECT_NE(recorded[5].body.find("\"ts\":\"" + ts + "\""), std::string::npos);
}

TEST_F(StandinTest, WebhookSinkSendsIdempotencyKeyAndSignature) {
  webhook::WebhookOptions options;
  options.url = standin_.Url("/hook");
  options.hmac_secret = "s3cr3t";
  auto sink = webhook::WebhookSink::Create(
      options, [](const alert::Alert& a, std::string& out) { out += "{\"id\":\"" + a.id + "\"}"; },
      Client(), clock_);
  ASSERT_TRUE(sink);
  EXPECT_EQ((*sink)->Deliver(testing::SampleAlert(), "").status, DeliveryStatus::kDelivered);
  const auto recorded = RecordedRequests(standin_);
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].headers.at("Idempotency-Key"), "a1b2c3d4e5f60718");
  EXPECT_EQ(recorded[0].headers.at("X-Trailwatch-Timestamp"), "1790000000");
  // The same vector as webhook_sink_test (openssl dgst -sha256 -hmac s3cr3t).
  EXPECT_EQ(recorded[0].headers.at("X-Trailwatch-Signature"),
            "sha256=0bc8159834ad238af1ce0b51f8c8fcc8af8140c07b4fbc462c84f9c5738a61b7");
}

// TLS is always verified: a self-signed server is refused unless its certificate is the
// configured CA bundle.
TEST(StandinTlsTest, CertificateIsVerified) {
  const std::string cert = std::string(TW_TEST_DATA) + "/tls/standin-cert.pem";
  StandinProcess standin(TW_STANDIN, cert, std::string(TW_TEST_DATA) + "/tls/standin-key.pem");
  ASSERT_GT(standin.port(), 0);
  auto untrusting = Client();
  auto refused = untrusting->Send({"POST", standin.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable) << refused.error().ToString();

  CurlOptions options;
  options.ca_file = cert;
  auto trusting = CurlHttpClient::Create(options);
  ASSERT_TRUE(trusting);
  auto ok = (*trusting)->Send({"POST", standin.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "ok");
  // Only the trusted request reached the server's handler.
  EXPECT_EQ(RecordedRequests(standin).size(), 1u);
}

// A client without ca_file trusts the bundle that SSL_CERT_FILE names (how the Lambda package,
// built on Debian, finds Amazon Linux's bundle), and without SSL_CERT_FILE libcurl's own.
TEST(StandinTlsTest, SslCertFileNamesTheBundle) {
  const std::string cert = std::string(TW_TEST_DATA) + "/tls/standin-cert.pem";
  StandinProcess standin(TW_STANDIN, cert, std::string(TW_TEST_DATA) + "/tls/standin-key.pem");
  ASSERT_GT(standin.port(), 0);
  const char* saved = std::getenv("SSL_CERT_FILE");
  const std::string saved_value = saved != nullptr ? saved : "";

  ::unsetenv("SSL_CERT_FILE");
  auto untrusting = CurlHttpClient::Create(CurlOptions{});
  ASSERT_TRUE(untrusting);
  auto refused = (*untrusting)->Send({"POST", standin.Url("/services/T/B/X"), {}, "{}"});
  EXPECT_FALSE(refused);

  ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
  auto trusting = CurlHttpClient::Create(CurlOptions{});
  if (saved != nullptr) {
    ::setenv("SSL_CERT_FILE", saved_value.c_str(), 1);
  } else {
    ::unsetenv("SSL_CERT_FILE");
  }
  ASSERT_TRUE(trusting);
  auto ok = (*trusting)->Send({"POST", standin.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(RecordedRequests(standin).size(), 1u);
}

}  // namespace
}  // namespace tw::sinks
