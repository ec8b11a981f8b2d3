// A scripted HttpFetch for JSON-protocol clients (SQS, DynamoDB): every call is POST /, so
// answers are queued per X-Amz-Target operation instead of per URL. Records every request.
// Test code only.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "aws/http_fetch.h"
#include "aws/json_client.h"
#include "common/clock.h"

namespace tw::aws::testing {

class ScriptedJson {
 public:
  // Queues `response` for a call of `operation` ("ReceiveMessage"): calls take the queued answers
  // in order; once the queue is empty, the last answer taken answers every further call.
  void On(const std::string& operation, int status, std::string body, HttpHeaders headers = {}) {
    answers_[operation].push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }

  HttpFetch Fetch() {
    return [this](const HttpRequest& request) -> Result<HttpResponse> {
      requests.push_back(request);
      const std::string* target = FindHeader(request.headers, "X-Amz-Target");
      std::string op = target == nullptr ? "" : target->substr(target->find('.') + 1);
      auto it = answers_.find(op);
      if (it != answers_.end() && !it->second.empty()) {
        last_[op] = it->second.front();
        it->second.pop_front();
      }
      auto last = last_.find(op);
      if (last == last_.end()) {
        return Fail(ErrorCode::kUnavailable, "connection refused (fake): " + op);
      }
      return last->second;
    };
  }

  // An AwsJsonClient on this fake for `options`, endpoint http://127.0.0.1:4566 in us-east-1,
  // static test keys, retry waits recorded in `waits`.
  std::unique_ptr<AwsJsonClient> Client(JsonClientOptions options, const Clock& clock) {
    options.retry.wait = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    options.retry.random01 = [] { return 0.5; };
    return std::make_unique<AwsJsonClient>(
        Fetch(), Endpoint{"http://127.0.0.1:4566", "us-east-1", true},
        [] {
          Credentials c;
          c.access_key_id = "AKIDEXAMPLE";
          c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
          c.source = "environment";
          return Result<Credentials>(c);
        },
        clock, std::move(options));
  }

  std::vector<HttpRequest> requests;
  std::vector<std::chrono::milliseconds> waits;

 private:
  std::map<std::string, std::deque<HttpResponse>> answers_;
  std::map<std::string, HttpResponse> last_;
};

}  // namespace tw::aws::testing
