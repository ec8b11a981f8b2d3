// Test helper: an HttpClient that records requests and answers from a script. Test-only.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "http/http_client.h"

namespace tw::sinks::testing {

class FakeHttpClient final : public http::HttpClient {
 public:
  // Shared so the test keeps access after the sink took ownership of the client.
  struct State {
    std::vector<http::Request> requests;
    std::deque<Result<http::Response>> answers;  // empty: 200 "ok"
  };
  explicit FakeHttpClient(State* state) : state_(state) {}

  Result<http::Response> Send(const http::Request& request) override {
    state_->requests.push_back(request);
    if (state_->answers.empty()) {
      http::Response ok;
      ok.status = 200;
      ok.body = "ok";
      return ok;
    }
    Result<http::Response> next = std::move(state_->answers.front());
    state_->answers.pop_front();
    return next;
  }

 private:
  State* state_;
};

inline http::Response MakeResponse(long status, std::string body,
                                   std::vector<http::Header> headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

}  // namespace tw::sinks::testing
