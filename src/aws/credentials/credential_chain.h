// CredentialChain: the AWS SDKs' default credential provider chain, with caching and refresh.
//
// Order (AWS SDKs and Tools Reference Guide, "Standardized credential providers"):
//   1. environment variables      (environment_provider.h)
//   2. web identity               (web_identity_provider.h)
//   3. shared config/credentials  (profile_provider.h: static keys, role_arn, credential_process)
//   4. container endpoint         (container_provider.h)
//   5. IMDSv2                     (imds_provider.h)
// The first provider that is configured decides: if it fails, Get() returns its error rather
// than trying the next one (a broken profile must not silently become the instance role). The
// winning provider is remembered and asked again on refresh.
//
// Caching: credentials without an expiration are kept for the process's life. Temporary ones are
// refreshed once Now() is within `refresh_before` (5 minutes by default) of their expiration;
// if that refresh fails while the old credentials are still valid, the old ones are returned and
// the next Get() tries again. Invalidate() drops them (after an ExpiredToken error).
//
// Thread-safety: Get(), Winner() and Invalidate() may be called from any thread; one mutex
// serialises them, so at most one fetch runs at a time. The clock is borrowed and must outlive
// the chain.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials/credentials.h"
#include "aws/environment.h"
#include "aws/http_fetch.h"
#include "common/clock.h"

namespace tw::aws {

class CredentialChain {
 public:
  static constexpr std::chrono::minutes kDefaultRefreshBefore{5};

  // A chain over `providers`, asked in order.
  CredentialChain(std::vector<std::unique_ptr<CredentialsProvider>> providers, const Clock& clock,
                  std::chrono::seconds refresh_before = kDefaultRefreshBefore);

  // The SDKs' default chain over `env`. `region` is used for STS (web identity); `fetch` for
  // every network provider.
  static std::unique_ptr<CredentialChain> Default(const Environment& env, std::string region,
                                                  HttpFetch fetch, const Clock& clock);

  // Cached or freshly fetched credentials. kNotFound ("no AWS credentials found: tried ...")
  // when no provider is configured; otherwise the first configured provider's error.
  [[nodiscard]] Result<Credentials> Get();

  // The Name() of the provider whose credentials are cached; empty before the first success.
  std::string Winner() const;

  // Forgets the cached credentials and the winner.
  void Invalidate();

 private:
  Result<Credentials> FetchFromChain();  // with mu_ held

  std::vector<std::unique_ptr<CredentialsProvider>> providers_;
  const Clock& clock_;
  std::chrono::seconds refresh_before_;
  mutable std::mutex mu_;
  std::optional<Credentials> cached_;
  std::optional<size_t> winner_;
};

}  // namespace tw::aws
