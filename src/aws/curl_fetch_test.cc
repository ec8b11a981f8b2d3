// MakeCurlFetch against tests/integration/standin/http_standin.py on 127.0.0.1 (label
// integration): connection reuse (the stand-in records the client's TCP port), parallel calls
// on separate handles, the body limit and the per-request timeout.
#include "aws/curl_fetch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include "http/standin_process.h"

namespace tw::aws {
namespace {

using http::testing::StandinProcess;

std::vector<int> ClientPorts(const std::string& requests_json) {
  std::vector<int> out;
  static const std::regex kPort("\"client_port\": ?([0-9]+)");
  for (auto it = std::sregex_iterator(requests_json.begin(), requests_json.end(), kPort);
       it != std::sregex_iterator(); ++it) {
    out.push_back(std::stoi((*it)[1].str()));
  }
  return out;
}

TEST(CurlFetchTest, SequentialCallsReuseTheConnection) {
  StandinProcess standin(TW_STANDIN);
  ASSERT_NE(standin.port(), 0);
  auto fetch = MakeCurlFetch();
  ASSERT_TRUE(fetch.has_value()) << fetch.error().ToString();
  for (int i = 0; i < 3; ++i) {
    HttpRequest r;
    r.url = standin.Url("/bucket/key" + std::to_string(i));
    r.headers.emplace_back("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    auto got = (*fetch)(r);
    ASSERT_TRUE(got.has_value()) << got.error().ToString();
    EXPECT_EQ(got->status, 200);
    EXPECT_EQ(got->body, "ok");
  }
  const std::vector<int> ports = ClientPorts(standin.Requests());
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(std::set<int>(ports.begin(), ports.end()).size(), 1u);  // one connection
}

TEST(CurlFetchTest, ParallelCallsUseSeparateHandles) {
  StandinProcess standin(TW_STANDIN);
  ASSERT_NE(standin.port(), 0);
  ASSERT_TRUE(standin.Script(R"([{"delay": 0.5, "status": 200}, {"delay": 0.5, "status": 200}])"));
  auto fetch = MakeCurlFetch();
  ASSERT_TRUE(fetch.has_value());
  std::vector<std::thread> threads;
  std::vector<int> status(2, 0);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      HttpRequest r;
      r.url = standin.Url("/p" + std::to_string(i));
      auto got = (*fetch)(r);
      status[i] = got ? got->status : -1;
    });
  }
  for (auto& t : threads) t.join();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status, (std::vector<int>{200, 200}));
  // Both waited 0.5 s at the same time: well under the 1 s a shared handle would take.
  EXPECT_LT(took, std::chrono::milliseconds(950));
  const std::vector<int> ports = ClientPorts(standin.Requests());
  ASSERT_EQ(ports.size(), 2u);
  EXPECT_NE(ports[0], ports[1]);
}

TEST(CurlFetchTest, CancelEndsAHangingRequestWithoutAnAnswer) {
  // A long poll that hangs (the stand-in holds the request 60 s, past the test's own ctest
  // timeout) ends with an error once the flag turns true, not with a response.
  StandinProcess standin(TW_STANDIN);
  ASSERT_NE(standin.port(), 0);
  ASSERT_TRUE(standin.Script(R"([{"hang": true, "seconds": 60}])"));
  auto fetch = MakeCurlFetch({});
  ASSERT_TRUE(fetch.has_value());
  std::atomic<bool> cancel{false};
  HttpRequest poll;
  poll.method = "POST";
  poll.url = standin.Url("/poll");
  poll.timeout = std::chrono::seconds(90);
  poll.cancel = &cancel;
  std::thread stopper([&] {
    // Cancel only once the request is on the wire, so the transfer itself is what stops.
    // (Each Requests() is itself a round trip to the stand-in: no busy spin.)
    while (standin.Requests().find("/poll") == std::string::npos) {
    }
    cancel.store(true);
  });
  auto got = (*fetch)(poll);
  stopper.join();
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code, ErrorCode::kUnavailable) << got.error().ToString();
  EXPECT_NE(got.error().message.find("allback"), std::string::npos) << got.error().message;
}

TEST(CurlFetchTest, BodyLimitAndRequestTimeout) {
  StandinProcess standin(TW_STANDIN);
  ASSERT_NE(standin.port(), 0);
  ASSERT_TRUE(standin.Script(R"([{"status": 200, "body": "0123456789abcdefXYZ"},
                                 {"hang": true, "seconds": 5}])"));
  CurlFetchOptions options;
  options.max_body_bytes = 16;
  auto fetch = MakeCurlFetch(options);
  ASSERT_TRUE(fetch.has_value());
  HttpRequest big;
  big.url = standin.Url("/big");
  auto got = (*fetch)(big);
  ASSERT_FALSE(got.has_value());
  EXPECT_EQ(got.error().code, ErrorCode::kUnsupported);  // not retried (retry.h)
  EXPECT_EQ(got.error().message, "http GET: response body exceeds the limit of 16 bytes");

  HttpRequest slow;
  slow.url = standin.Url("/hang");
  slow.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  auto timed_out = (*fetch)(slow);
  ASSERT_FALSE(timed_out.has_value());
  EXPECT_EQ(timed_out.error().code, ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));

  // GET, POST and PUT (IMDSv2's token; integration.aws_credential_chain_test) are the methods
  // the AWS layer sends; anything else is refused before it reaches the network.
  HttpRequest del;
  del.method = "DELETE";
  del.url = standin.Url("/x");
  auto refused = (*fetch)(del);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tw::aws
