#include "aws/retry.h"

#include <algorithm>
#include <cmath>

namespace tw::aws {

RetryClass ClassifyRetry(const AwsError& error) {
  if (IsThrottlingCode(error.code)) return RetryClass::kThrottling;
  static constexpr std::string_view kTransientCodes[] = {
      "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"};
  if (std::find(std::begin(kTransientCodes), std::end(kTransientCodes), error.code) !=
      std::end(kTransientCodes)) {
    return RetryClass::kTransient;
  }
  switch (error.http_status) {
    case 500:
    case 502:
    case 503:
    case 504:
      return RetryClass::kTransient;
    default:
      return RetryClass::kNotRetryable;
  }
}

RetryClass ClassifyRetry(const Error& transport_error) {
  return transport_error.code == ErrorCode::kUnavailable ||
                 transport_error.code == ErrorCode::kResourceExhausted
             ? RetryClass::kTransient
             : RetryClass::kNotRetryable;
}

std::chrono::milliseconds BackoffDelay(int retry, double random01) {
  if (retry < 1) retry = 1;
  double cap = static_cast<double>(kMaxBackoff.count());
  double scale = retry > 30 ? cap : std::min(std::ldexp(1.0, retry - 1), cap);
  double r = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(r * scale * 1000.0));
}

bool RetryQuota::AcquireRetry(bool after_timeout) {
  int cost = after_timeout ? kTimeoutRetryCost : kRetryCost;
  std::lock_guard lock(mu_);
  if (available_ < cost) return false;
  available_ -= cost;
  return true;
}

void RetryQuota::RecordSuccess(int retry_cost) {
  std::lock_guard lock(mu_);
  available_ =
      std::min(kInitialCapacity, available_ + (retry_cost > 0 ? retry_cost : kNoRetryIncrement));
}

int RetryQuota::Available() const {
  std::lock_guard lock(mu_);
  return available_;
}

Result<HttpResponse> RunWithRetries(const std::function<Result<HttpResponse>()>& attempt,
                                    const RetryOptions& options) {
  TW_CHECK(options.wait && options.random01);
  int retry_cost = 0;  // what the last granted retry took from the quota
  for (int n = 1;; ++n) {
    Result<HttpResponse> result = attempt();
    RetryClass retry_class;
    bool after_timeout = false;
    if (result) {
      if (result->status < 300) {
        if (options.quota != nullptr) options.quota->RecordSuccess(retry_cost);
        return result;
      }
      retry_class = ClassifyRetry(ParseAwsError(*result));
    } else {
      retry_class = ClassifyRetry(result.error());
      after_timeout = true;  // no response: a connection error or a timeout
    }
    if (retry_class == RetryClass::kNotRetryable || n >= options.max_attempts) return result;
    if (options.quota != nullptr) {
      if (!options.quota->AcquireRetry(after_timeout)) return result;
      retry_cost = after_timeout ? RetryQuota::kTimeoutRetryCost : RetryQuota::kRetryCost;
    }
    options.wait(BackoffDelay(n, options.random01()));
  }
}

}  // namespace tw::aws
