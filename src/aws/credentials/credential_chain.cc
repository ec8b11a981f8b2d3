#include "aws/credentials/credential_chain.h"

#include "aws/credentials/container_provider.h"
#include "aws/credentials/environment_provider.h"
#include "aws/credentials/imds_provider.h"
#include "aws/credentials/profile_provider.h"
#include "aws/credentials/web_identity_provider.h"

namespace tw::aws {

CredentialChain::CredentialChain(std::vector<std::unique_ptr<CredentialsProvider>> providers,
                                 const Clock& clock, std::chrono::seconds refresh_before)
    : providers_(std::move(providers)), clock_(clock), refresh_before_(refresh_before) {}

std::unique_ptr<CredentialChain> CredentialChain::Default(const Environment& env,
                                                          std::string region, HttpFetch fetch,
                                                          const Clock& clock) {
  std::vector<std::unique_ptr<CredentialsProvider>> providers;
  providers.push_back(std::make_unique<EnvironmentProvider>(env));
  providers.push_back(std::make_unique<WebIdentityProvider>(env, std::move(region), fetch, clock));
  providers.push_back(std::make_unique<ProfileProvider>(env, fetch, clock));
  providers.push_back(std::make_unique<ContainerProvider>(env, fetch));
  providers.push_back(std::make_unique<ImdsProvider>(env, std::move(fetch)));
  return std::make_unique<CredentialChain>(std::move(providers), clock);
}

Result<Credentials> CredentialChain::FetchFromChain() {
  if (winner_) {
    auto creds = providers_[*winner_]->Fetch();
    if (creds && creds->source.empty()) creds->source = std::string(providers_[*winner_]->Name());
    return creds;
  }
  std::string tried;
  for (size_t i = 0; i < providers_.size(); ++i) {
    auto creds = providers_[i]->Fetch();
    if (creds) {
      if (creds->source.empty()) creds->source = std::string(providers_[i]->Name());
      winner_ = i;
      return creds;
    }
    if (creds.error().code != ErrorCode::kNotFound) return creds;
    if (!tried.empty()) tried += ", ";
    tried += providers_[i]->Name();
  }
  return Fail(ErrorCode::kNotFound, "no AWS credentials found: tried " + tried);
}

Result<Credentials> CredentialChain::Get() {
  std::lock_guard lock(mu_);
  Clock::WallTime now = clock_.Now();
  if (cached_ && (!cached_->expiration || now < *cached_->expiration - refresh_before_)) {
    return *cached_;
  }
  auto fresh = FetchFromChain();
  if (fresh) {
    cached_ = *fresh;
    return fresh;
  }
  if (cached_ && cached_->expiration && now < *cached_->expiration) return *cached_;
  cached_.reset();
  return fresh;
}

std::string CredentialChain::Winner() const {
  std::lock_guard lock(mu_);
  return winner_ && cached_ ? std::string(providers_[*winner_]->Name()) : std::string();
}

void CredentialChain::Invalidate() {
  std::lock_guard lock(mu_);
  cached_.reset();
  winner_.reset();
}

}  // namespace tw::aws
