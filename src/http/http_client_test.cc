#include "http/http_client.h"

#include <gtest/gtest.h>

#include "http/curl_http_client.h"

namespace tw::http {
namespace {

TEST(ResponseTest, FindHeaderIgnoresCase) {
  Response r;
  r.headers = {{"Content-Type", "text/plain"}, {"retry-after", "3"}, {"Retry-After", "9"}};
  ASSERT_NE(r.FindHeader("RETRY-AFTER"), nullptr);
  EXPECT_EQ(*r.FindHeader("Retry-After"), "3");  // the first one
  EXPECT_EQ(r.FindHeader("X-Missing"), nullptr);
}

TEST(CurlHttpClientTest, RejectsZeroTimeouts) {
  CurlOptions options;
  options.total_timeout = std::chrono::milliseconds(0);
  auto client = CurlHttpClient::Create(options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().code, ErrorCode::kInvalidArgument);
}

TEST(CurlHttpClientTest, RefusedConnectionIsUnavailable) {
  auto client = CurlHttpClient::Create({});
  ASSERT_TRUE(client) << client.error().ToString();
  // Port 1 on loopback: nothing listens there in the build environment.
  auto response = (*client)->Send({"POST", "http://127.0.0.1:1/hook", {}, "{}"});
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::kUnavailable) << response.error().ToString();
}

TEST(CurlHttpClientTest, MalformedUrlAndSchemeAreInvalid) {
  auto client = CurlHttpClient::Create({});
  ASSERT_TRUE(client);
  auto bad_scheme = (*client)->Send({"GET", "file:///etc/passwd", {}, ""});
  ASSERT_FALSE(bad_scheme);
  EXPECT_EQ(bad_scheme.error().code, ErrorCode::kInvalidArgument);
  auto bad_method = (*client)->Send({"DELETE", "http://127.0.0.1:1/", {}, ""});
  ASSERT_FALSE(bad_method);
  EXPECT_EQ(bad_method.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace tw::http
