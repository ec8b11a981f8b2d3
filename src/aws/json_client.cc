#include "aws/json_client.h"

#include <mutex>
#include <random>
#include <thread>

#include "aws/aws_error.h"
#include "aws/sigv4/sigv4_signer.h"
#include "common/strings.h"

namespace tw::aws {

AwsJsonClient::AwsJsonClient(HttpFetch fetch, Endpoint endpoint, CredentialsFn credentials,
                             const Clock& clock, JsonClientOptions options)
    : fetch_(std::move(fetch)),
      endpoint_(std::move(endpoint)),
      credentials_(std::move(credentials)),
      clock_(clock),
      options_(std::move(options)) {
  if (options_.retry.quota == nullptr) {
    own_quota_ = std::make_unique<RetryQuota>();
    options_.retry.quota = own_quota_.get();
  }
}

Result<JsonCallResult> AwsJsonClient::Call(std::string_view operation, const std::string& body,
                                           std::chrono::milliseconds timeout,
                                           const std::atomic<bool>* cancel) {
  const std::string context = options_.service_label + " " + std::string(operation);
  std::optional<Error> local_failure;
  auto attempt = [&]() -> Result<HttpResponse> {
    if (cancel != nullptr && cancel->load()) {
      local_failure = Error{ErrorCode::kUnavailable, context + ": cancelled"};
      return Fail(ErrorCode::kInvalidArgument, "cancelled");  // not retried
    }
    auto creds = credentials_();
    if (!creds) {
      local_failure = Error{creds.error().code, context + ": " + creds.error().message};
      return Fail(ErrorCode::kInvalidArgument, "no credentials");  // not retried
    }
    HttpRequest request;
    request.method = "POST";
    request.url = endpoint_.url + "/";
    request.headers.emplace_back("Content-Type", "application/x-amz-json-1.0");
    request.headers.emplace_back("X-Amz-Target",
                                 options_.target_prefix + "." + std::string(operation));
    request.body = body;
    request.timeout = timeout;
    request.cancel = cancel;
    auto signed_parts = SignRequest(
        request, *creds,
        SigningParams::For(options_.signing_name, endpoint_.signing_region, clock_.Now()));
    if (!signed_parts) {
      local_failure =
          Error{signed_parts.error().code, context + ": " + signed_parts.error().message};
      return Fail(ErrorCode::kInvalidArgument, "signing failed");
    }
    return fetch_(request);
  };
  auto response = RunWithRetries(attempt, options_.retry);
  if (local_failure) return tl::unexpected(*local_failure);
  if (!response) {
    return Fail(response.error().code, context + ": " + response.error().message);
  }
  JsonCallResult out;
  out.http_status = response->status;
  out.body = std::move(response->body);
  if (response->status != 200) {
    HttpResponse copy{response->status, response->headers, out.body};
    AwsError error = ParseAwsError(copy);
    out.aws_code = error.code.empty() ? "HttpError" : error.code;
    out.error = error.ToError(context);
  }
  return out;
}

Result<std::string> AwsJsonClient::CallOk(std::string_view operation, const std::string& body,
                                          std::chrono::milliseconds timeout,
                                          const std::atomic<bool>* cancel) {
  auto r = Call(operation, body, timeout, cancel);
  if (!r) return tl::unexpected(r.error());
  if (!r->ok()) return tl::unexpected(r->error);
  return std::move(r->body);
}

RetryOptions DefaultRetryOptions(RetryQuota* quota) {
  RetryOptions options;
  options.quota = quota;
  options.wait = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  options.random01 = [] {
    static std::mutex mu;
    static std::mt19937_64 rng{std::random_device{}()};
    std::lock_guard<std::mutex> lock(mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  };
  return options;
}

std::string JsonText(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

}  // namespace tw::aws
