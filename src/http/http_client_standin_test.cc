// Both HttpClient transports (libcurl for `trailwatch`, sockets and OpenSSL for the Lambda
// bootstrap) against the Python stand-in (tests/integration/standin/http_standin.py) on
// 127.0.0.1: the same cases, real sockets, real timeouts, real TLS. What the stand-in recorded
// is what the client sent.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "http/curl_http_client.h"
#include "http/socket_http_client.h"
#include "http/standin_process.h"

namespace tw::http {
namespace {

using std::chrono::milliseconds;
using testing::Recorded;
using testing::RecordedRequests;
using testing::StandinProcess;

enum class Transport { kCurl, kSocket };

std::string Name(const ::testing::TestParamInfo<Transport>& info) {
  return info.param == Transport::kCurl ? "Curl" : "Socket";
}

Result<std::unique_ptr<HttpClient>> Make(Transport t, ClientOptions options) {
  if (t == Transport::kCurl) {
    auto c = CurlHttpClient::Create(std::move(options));
    if (!c) return tl::unexpected(c.error());
    return std::unique_ptr<HttpClient>(std::move(*c));
  }
  auto c = SocketHttpClient::Create(std::move(options));
  if (!c) return tl::unexpected(c.error());
  return std::unique_ptr<HttpClient>(std::move(*c));
}

class TransportTest : public ::testing::TestWithParam<Transport> {
 protected:
  std::unique_ptr<HttpClient> Client(milliseconds total = milliseconds(2000),
                                     size_t max_body = 64 * 1024, std::string ca_file = "") {
    ClientOptions options;
    options.connect_timeout = milliseconds(1000);
    options.total_timeout = total;
    options.max_body_bytes = max_body;
    options.ca_file = std::move(ca_file);
    auto client = Make(GetParam(), options);
    EXPECT_TRUE(client) << client.error().ToString();
    return client ? std::move(*client) : nullptr;
  }
};

class StandinTransportTest : public TransportTest {
 protected:
  void SetUp() override { ASSERT_GT(standin_.port(), 0) << "the stand-in did not start"; }
  StandinProcess standin_{TW_STANDIN};
};

TEST_P(TransportTest, RejectsZeroTimeouts) {
  ClientOptions options;
  options.total_timeout = milliseconds(0);
  auto client = Make(GetParam(), options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(TransportTest, RefusedConnectionIsUnavailable) {
  auto client = Client();
  // Port 1 on loopback: nothing listens there in the build environment.
  auto response = client->Send({"POST", "http://127.0.0.1:1/hook", {}, "{}"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable) << response.error().ToString();
}

TEST_P(TransportTest, MalformedUrlSchemeAndMethodAreInvalid) {
  auto client = Client();
  for (const char* url : {"file:///etc/passwd", "ftp://127.0.0.1/"}) {
    auto r = client->Send({"GET", url, {}, ""});
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << url << ": " << r.error().ToString();
  }
  auto bad_method = client->Send({"DELETE", "http://127.0.0.1:1/", {}, ""});
  ASSERT_FALSE(bad_method);
  EXPECT_EQ(bad_method.error().code, ErrorCode::kInvalidArgument);
}

// URLs the socket transport parses itself (url_parts.h; libcurl has its own, more lenient,
// rules).
TEST_P(TransportTest, MalformedAuthoritiesAreInvalid) {
  if (GetParam() == Transport::kCurl) GTEST_SKIP() << "libcurl parses URLs itself";
  auto client = Make(GetParam(), {});
  ASSERT_TRUE(client);
  for (const char* url : {"http:///x", "http://user:pw@127.0.0.1/", "http://127.0.0.1:99999/",
                          "http://127.0.0.1:8x/", "http://[::1/", "http://:80/", "127.0.0.1:1/x"}) {
    auto r = (*client)->Send({"GET", url, {}, ""});
    ASSERT_FALSE(r) << url;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << url << ": " << r.error().ToString();
  }
  // An IPv6 literal with a port parses (and is then refused: nothing listens on port 1).
  auto v6 = (*client)->Send({"GET", "http://[::1]:1/x", {}, ""});
  ASSERT_FALSE(v6);
  EXPECT_EQ(v6.error().code, ErrorCode::kUnavailable) << v6.error().ToString();
}

TEST_P(StandinTransportTest, PostsGetsPutsAndReusesTheConnection) {
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
  // A path with percent-escapes and a query goes out exactly as given (SigV4 signed it so).
  auto got = client->Send({"GET", standin_.Url("/a%2Fb/c%20d?list-type=2&prefix=x%2Fy"), {}, ""});
  ASSERT_TRUE(got) << got.error().ToString();
  auto put = client->Send({"PUT", standin_.Url("/put"), {{"Content-Type", "text/plain"}}, "body"});
  ASSERT_TRUE(put) << put.error().ToString();
  const auto recorded = RecordedRequests(standin_);
  ASSERT_EQ(recorded.size(), 5u);
  EXPECT_EQ(recorded[0].method, "POST");
  EXPECT_EQ(recorded[0].body, "{\"text\":\"hi\"}");
  EXPECT_EQ(recorded[0].headers.at("X-Probe"), "yes");
  EXPECT_EQ(recorded[0].headers.at("Content-Type"), "application/json");
  EXPECT_EQ(recorded[0].headers.at("User-Agent"), "trailwatch/0.1");
  EXPECT_EQ(recorded[0].headers.count("Accept-Encoding"), 0u);
  EXPECT_EQ(recorded[3].method, "GET");
  EXPECT_EQ(recorded[3].path, "/a%2Fb/c%20d?list-type=2&prefix=x%2Fy");
  EXPECT_EQ(recorded[4].method, "PUT");
  EXPECT_EQ(recorded[4].body, "body");
  // One TCP connection for all of them.
  for (const Recorded& r : recorded) EXPECT_EQ(r.client_port, recorded[0].client_port);
}

TEST_P(StandinTransportTest, StatusesAreResponsesWithTheirHeaders) {
  ASSERT_TRUE(standin_.Script(
      R"([{"status":429,"headers":{"Retry-After":"7"},"body":"rate_limited"},{"status":500}])"));
  auto client = Client();
  auto limited = client->Send({"POST", standin_.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(limited) << limited.error().ToString();
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->body, "rate_limited");
  ASSERT_NE(limited->FindHeader("retry-after"), nullptr);
  EXPECT_EQ(*limited->FindHeader("retry-after"), "7");
  auto failed = client->Send({"POST", standin_.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(failed) << failed.error().ToString();
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body, "rollup_error");
}

TEST_P(StandinTransportTest, TimesOutOnAHangingServer) {
  ASSERT_TRUE(standin_.Script(R"([{"hang":true,"seconds":5}])"));
  auto client = Client(milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto r = client->Send({"POST", standin_.Url("/services/T/B/X"), {}, "{}"});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().ToString();
  EXPECT_LT(took, std::chrono::seconds(3));
  EXPECT_GE(took, milliseconds(250));
  // The client is usable afterwards.
  auto ok = client->Send({"POST", standin_.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->status, 200);
}

TEST_P(StandinTransportTest, RequestTimeoutShortensTheClients) {
  ASSERT_TRUE(standin_.Script(R"([{"hang":true,"seconds":5}])"));
  auto client = Client(milliseconds(4000));
  const auto start = std::chrono::steady_clock::now();
  auto r = client->Send({"GET", standin_.Url("/slow"), {}, "", milliseconds(300)});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnavailable) << r.error().ToString();
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_P(StandinTransportTest, CancelEndsAHangingRequestWithoutAnAnswer) {
  // The stand-in holds the request 60 s, past the test's own ctest timeout: only the flag can
  // end it. The flag turns true once the request is on the wire (each Requests() is a round trip
  // to the stand-in: no busy spin, no sleep).
  ASSERT_TRUE(standin_.Script(R"([{"hang": true, "seconds": 60}])"));
  auto client = Client(milliseconds(90'000));
  std::atomic<bool> cancel{false};
  Request poll{"POST", standin_.Url("/poll"), {}, "{}"};
  poll.cancel = &cancel;
  std::thread stopper([&] {
    while (standin_.Requests().find("/poll") == std::string::npos) {
    }
    cancel.store(true);
  });
  auto got = client->Send(poll);
  stopper.join();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable) << got.error().ToString();
  // A flag already set: nothing is sent.
  auto again = client->Send(poll);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(RecordedRequests(standin_).size(), 1u);
}

TEST_P(StandinTransportTest, BoundsTheBody) {
  ASSERT_TRUE(standin_.Script("[{\"status\":200,\"body\":\"" + std::string(100'000, 'x') +
                              "\"},{\"status\":503,\"body\":\"" + std::string(5'000, 'y') +
                              "\"}]"));
  auto client = Client(milliseconds(2000), 1000);
  auto r = client->Send({"GET", standin_.Url("/big"), {}, ""});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->body, std::string(1000, 'x'));
  EXPECT_TRUE(r->body_truncated);
  auto error_page = client->Send({"GET", standin_.Url("/big"), {}, ""});
  ASSERT_TRUE(error_page) << error_page.error().ToString();
  EXPECT_EQ(error_page->status, 503);
  EXPECT_EQ(error_page->body, std::string(1000, 'y'));
  EXPECT_TRUE(error_page->body_truncated);
}

TEST_P(StandinTransportTest, ChunkedAndCloseDelimitedBodies) {
  ASSERT_TRUE(
      standin_.Script(R"([{"status":200,"body":"a chunked answer of 31 bytes..","chunked":true},)"
                      R"({"status":201,"body":"read to the end","close_delimited":true},)"
                      R"({"status":200,"body":")" +
                      std::string(5'000, 'z') + R"(","chunked":true}])"));
  auto client = Client(milliseconds(2000), 1000);
  auto chunked = client->Send({"GET", standin_.Url("/chunked"), {}, ""});
  ASSERT_TRUE(chunked) << chunked.error().ToString();
  EXPECT_EQ(chunked->status, 200);
  EXPECT_EQ(chunked->body, "a chunked answer of 31 bytes..");
  EXPECT_FALSE(chunked->body_truncated);
  auto to_end = client->Send({"POST", standin_.Url("/close"), {}, "{}"});
  ASSERT_TRUE(to_end) << to_end.error().ToString();
  EXPECT_EQ(to_end->status, 201);
  EXPECT_EQ(to_end->body, "read to the end");
  // A chunked body past max_body_bytes is cut there, and the connection still works after it.
  auto big = client->Send({"GET", standin_.Url("/big"), {}, ""});
  ASSERT_TRUE(big) << big.error().ToString();
  EXPECT_EQ(big->body, std::string(1000, 'z'));
  EXPECT_TRUE(big->body_truncated);
  auto after = client->Send({"GET", standin_.Url("/after"), {}, ""});
  ASSERT_TRUE(after) << after.error().ToString();
  EXPECT_EQ(after->body, "ok");
  const auto recorded = RecordedRequests(standin_);
  ASSERT_EQ(recorded.size(), 4u);
  // The close-delimited answer ended its connection: the next request came on a new one.
  EXPECT_EQ(recorded[0].client_port, recorded[1].client_port);
  EXPECT_NE(recorded[1].client_port, recorded[2].client_port);
  EXPECT_EQ(recorded[2].client_port, recorded[3].client_port);
}

// A kept-alive connection the server closed while it sat idle: the request goes out again on a
// fresh connection instead of failing.
TEST_P(StandinTransportTest, ReconnectsWhenTheKeptConnectionWasClosed) {
  ASSERT_TRUE(standin_.Script(R"([{"status":200,"body":"first","drop_after":true}])"));
  auto client = Client();
  auto first = client->Send({"POST", standin_.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(first) << first.error().ToString();
  EXPECT_EQ(first->body, "first");
  auto second = client->Send({"POST", standin_.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(second) << second.error().ToString();
  EXPECT_EQ(second->body, "ok");
  const auto recorded = RecordedRequests(standin_);
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_NE(recorded[0].client_port, recorded[1].client_port);
}

// TLS is always verified: a self-signed server is refused unless its certificate is the
// configured CA bundle (or the one SSL_CERT_FILE names).
TEST_P(TransportTest, TlsCertificateIsVerified) {
  const std::string cert = std::string(TW_TEST_DATA) + "/tls/standin-cert.pem";
  StandinProcess standin(TW_STANDIN, cert, std::string(TW_TEST_DATA) + "/tls/standin-key.pem");
  ASSERT_GT(standin.port(), 0);
  const char* saved = std::getenv("SSL_CERT_FILE");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::unsetenv("SSL_CERT_FILE");
  auto refused = Client()->Send({"POST", standin.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable) << refused.error().ToString();

  auto ok = Client(milliseconds(2000), 64 * 1024, cert)
                ->Send({"POST", standin.Url("/services/T/B/X"), {}, "{}"});
  ASSERT_TRUE(ok) << ok.error().ToString();
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "ok");

  ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
  auto from_env = Client()->Send({"POST", standin.Url("/services/T/B/X"), {}, "{}"});
  if (saved != nullptr) {
    ::setenv("SSL_CERT_FILE", saved_value.c_str(), 1);
  } else {
    ::unsetenv("SSL_CERT_FILE");
  }
  ASSERT_TRUE(from_env) << from_env.error().ToString();
  EXPECT_EQ(from_env->status, 200);
  // Only the trusted requests reached the server's handler.
  EXPECT_EQ(RecordedRequests(standin).size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Both, TransportTest,
                         ::testing::Values(Transport::kCurl, Transport::kSocket), Name);
INSTANTIATE_TEST_SUITE_P(Both, StandinTransportTest,
                         ::testing::Values(Transport::kCurl, Transport::kSocket), Name);

}  // namespace
}  // namespace tw::http
