// RuntimeApi against a scripted HttpClient: paths, headers and bodies as the Runtime API
// reference (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) documents them.
#include "sources/lambda/runtime_api.h"

#include <gtest/gtest.h>

#include <deque>

namespace tw::sources {
namespace {

class ScriptedClient final : public http::HttpClient {
 public:
  Result<http::Response> Send(const http::Request& request) override {
    sent.push_back(request);
    if (answers.empty()) return Fail(ErrorCode::kUnavailable, "no answer scripted");
    http::Response r = answers.front();
    answers.pop_front();
    return r;
  }
  std::deque<http::Response> answers;
  std::vector<http::Request> sent;
};

http::Response NextAnswer(std::vector<http::Header> headers, std::string body = "{}") {
  http::Response r;
  r.status = 200;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

TEST(RuntimeApiTest, NextReadsTheInvocationHeaders) {
  ScriptedClient client;
  client.answers.push_back(NextAnswer({{"lambda-runtime-aws-request-id", "8476a536-e9f4"},
                                       {"Lambda-Runtime-Deadline-Ms", "1700000000123"},
                                       {"Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:x"},
                                       {"Lambda-Runtime-Trace-Id", "Root=1-5bef4de7"},
                                       {"Lambda-Runtime-Aws-Tenant-Id", "ignored"}},
                                      R"({"a":1})"));
  auto api = RuntimeApi::Create("127.0.0.1:9001", client);
  ASSERT_TRUE(api);
  auto inv = api->Next();
  ASSERT_TRUE(inv) << inv.error().ToString();
  EXPECT_EQ(client.sent[0].method, "GET");
  EXPECT_EQ(client.sent[0].url, "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(inv->request_id, "8476a536-e9f4");
  ASSERT_TRUE(inv->deadline);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(inv->deadline->time_since_epoch())
                .count(),
            1700000000123);
  EXPECT_EQ(inv->function_arn, "arn:aws:lambda:x");
  EXPECT_EQ(inv->trace_id, "Root=1-5bef4de7");
  EXPECT_EQ(inv->body, R"({"a":1})");
  EXPECT_FALSE(inv->problem);
}

TEST(RuntimeApiTest, BogusDeadlineIsAProblemNotAFailure) {
  ScriptedClient client;
  client.answers.push_back(NextAnswer(
      {{"Lambda-Runtime-Aws-Request-Id", "r1"}, {"Lambda-Runtime-Deadline-Ms", "soon"}}));
  client.answers.push_back(NextAnswer({{"Lambda-Runtime-Aws-Request-Id", "r2"}}));
  auto api = RuntimeApi::Create("h:1", client);
  ASSERT_TRUE(api);
  auto first = api->Next();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first->problem);
  EXPECT_NE(first->problem->message.find("malformed"), std::string::npos);
  auto second = api->Next();
  ASSERT_TRUE(second);
  ASSERT_TRUE(second->problem);
  EXPECT_NE(second->problem->message.find("missing"), std::string::npos);
}

TEST(RuntimeApiTest, MissingOrUnsafeRequestIdIsParseError) {
  ScriptedClient client;
  client.answers.push_back(NextAnswer({{"Lambda-Runtime-Deadline-Ms", "1"}}));
  client.answers.push_back(NextAnswer({{"Lambda-Runtime-Aws-Request-Id", "../../init/error"}}));
  auto api = RuntimeApi::Create("h:1", client);
  ASSERT_TRUE(api);
  auto a = api->Next();
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, ErrorCode::kParse);
  auto b = api->Next();
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, ErrorCode::kParse);
}

TEST(RuntimeApiTest, ErrorsCarryTheDocumentedBodyAndHeader) {
  ScriptedClient client;
  http::Response accepted;
  accepted.status = 202;
  client.answers = {accepted, accepted, accepted};
  auto api = RuntimeApi::Create("h:1", client);
  ASSERT_TRUE(api);
  ASSERT_TRUE(api->Respond("r1", R"({"batchItemFailures":[]})"));
  ASSERT_TRUE(api->ReportError("r1", RuntimeError{"Trailwatch.X", "bad \"thing\""}));
  ASSERT_TRUE(api->ReportInitError(RuntimeError{"Trailwatch.BadConfig", "no"}));
  EXPECT_EQ(client.sent[0].url, "http://h:1/2018-06-01/runtime/invocation/r1/response");
  EXPECT_EQ(client.sent[0].body, R"({"batchItemFailures":[]})");
  EXPECT_EQ(client.sent[1].url, "http://h:1/2018-06-01/runtime/invocation/r1/error");
  EXPECT_EQ(client.sent[1].body, R"({"errorMessage":"bad \"thing\"","errorType":"Trailwatch.X"})");
  const http::Header* type = nullptr;
  for (const auto& h : client.sent[1].headers) {
    if (h.name == "Lambda-Runtime-Function-Error-Type") type = &h;
  }
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->value, "Trailwatch.X");
  EXPECT_EQ(client.sent[2].url, "http://h:1/2018-06-01/runtime/init/error");
}

TEST(RuntimeApiTest, RejectsAnEndpointThatIsNotHostPort) {
  ScriptedClient client;
  EXPECT_FALSE(RuntimeApi::Create("", client));
  EXPECT_FALSE(RuntimeApi::Create("h:1/evil", client));
}

}  // namespace
}  // namespace tw::sources
