// Retry classification and the AWS SDKs' "standard" retry mode: which failures to retry, how
// long to wait, and a retry quota that stops retry storms.
//
// Constants and rules are those of botocore 1.43 (botocore/retries/standard.py and quota.py),
// which implements the "standard" mode of the AWS SDKs and Tools Reference Guide ("Retry
// behavior", https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html):
//   * at most 3 attempts (the first plus two retries);
//   * retryable: throttling codes (Throttling, ThrottlingException, SlowDown,
//     ProvisionedThroughputExceededException, RequestLimitExceeded, TooManyRequestsException,
//     ...), transient codes (RequestTimeout, RequestTimeoutException, PriorRequestNotComplete),
//     HTTP 500, 502, 503, 504, and failures without a response (connection refused, timeout);
//   * delay before retry i (1-based): rand[0,1) * min(2^(i-1), 20) seconds ("truncated binary
//     exponential backoff with full jitter");
//   * a quota of 500 tokens per client: a retry costs 5 (10 after a timeout or connection
//     error); a success with no retry returns 1, a successful retry returns its cost. No tokens,
//     no retry.
//
// Thread-safety: the functions are pure; RetryQuota is safe to share between threads.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

#include "aws/aws_error.h"
#include "common/error.h"

namespace tw::aws {

enum class RetryClass {
  kNotRetryable,
  kTransient,   // 5xx, transient codes, no response
  kThrottling,  // the service asked us to slow down
};

inline constexpr int kMaxAttempts = 3;
inline constexpr std::chrono::seconds kMaxBackoff{20};

// Classifies an AWS error response.
RetryClass ClassifyRetry(const AwsError& error);
// Classifies a failure without a response (from HttpFetch): kUnavailable and kResourceExhausted
// are transient, anything else is not retryable.
RetryClass ClassifyRetry(const Error& transport_error);

// The delay before retry number `retry` (1 = the first retry), given a uniform `random01` in
// [0, 1): random01 * min(2^(retry-1), 20) seconds.
std::chrono::milliseconds BackoffDelay(int retry, double random01);

class RetryQuota {
 public:
  static constexpr int kInitialCapacity = 500;
  static constexpr int kRetryCost = 5;
  static constexpr int kTimeoutRetryCost = 10;
  static constexpr int kNoRetryIncrement = 1;

  // Takes the cost of one retry; false (and nothing taken) when the quota is exhausted.
  // `after_timeout`: the failure was a timeout or connection error.
  bool AcquireRetry(bool after_timeout);
  // Records a successful request: returns `retry_cost` tokens if it succeeded after a retry
  // (the value AcquireRetry took), else kNoRetryIncrement; never above the capacity.
  void RecordSuccess(int retry_cost);
  int Available() const;

 private:
  mutable std::mutex mu_;
  int available_ = kInitialCapacity;
};

struct RetryOptions {
  int max_attempts = kMaxAttempts;
  // Shared by the calls of one client; nullptr: no quota.
  RetryQuota* quota = nullptr;
  // Waits before a retry. Production code waits on its tw::Clock or a condition variable (so
  // shutdown can cut it short); tests record the delays. Required.
  std::function<void(std::chrono::milliseconds)> wait;
  // Uniform in [0, 1). Required.
  std::function<double()> random01;
};

// Runs `attempt` (which builds, signs and sends one request: re-signing each time, as the SDKs
// do) until it yields a response below 300, a response or failure that is not retryable, the
// attempts run out, or the quota refuses. Returns the last response (an error response is
// returned as a response, for the caller to ParseAwsError) or the last transport failure.
[[nodiscard]] Result<HttpResponse> RunWithRetries(
    const std::function<Result<HttpResponse>()>& attempt, const RetryOptions& options);

}  // namespace tw::aws
