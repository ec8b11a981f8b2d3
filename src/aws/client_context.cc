#include "aws/client_context.h"

#include "aws/credentials/shared_config.h"

namespace tw::aws {

Result<ClientContext> ClientContext::Create(Environment env, const Clock& clock,
                                            CurlFetchOptions fetch_options,
                                            std::string fallback_region) {
  ClientContext ctx;
  std::optional<std::string> region = ResolveRegion(env, nullptr);
  if (!region) {
    auto config = SharedConfig::Load(env);
    if (!config) {
      return Fail(ErrorCode::kInvalidArgument, "AWS shared config: " + config.error().message);
    }
    region = ResolveRegion(env, config->Find(SharedConfig::SelectedProfile(env)));
  }
  if (region) {
    ctx.region = *region;
  } else {
    ctx.region = std::move(fallback_region);
    ctx.region_defaulted = true;
  }
  auto fetch = MakeCurlFetch(std::move(fetch_options));
  if (!fetch) return tl::unexpected(fetch.error());
  ctx.fetch = std::move(*fetch);
  ctx.chain = CredentialChain::Default(env, ctx.region, ctx.fetch, clock);
  ctx.env = std::move(env);
  return ctx;
}

CredentialsFn ClientContext::Credentials() const {
  return [chain = chain] { return chain->Get(); };
}

Result<std::unique_ptr<S3Client>> ClientContext::MakeS3Client(const Clock& clock,
                                                              bool path_style) const {
  auto endpoint = ResolveEndpoint(Service::kS3, region, env);
  if (!endpoint) return tl::unexpected(endpoint.error());
  S3ClientOptions options;
  options.endpoint = std::move(*endpoint);
  options.path_style = path_style;
  return std::make_unique<S3Client>(fetch, Credentials(), std::move(options), clock);
}

std::string MaskAccessKeyId(const std::string& access_key_id) {
  if (access_key_id.size() <= 4) return "****";
  return "****" + access_key_id.substr(access_key_id.size() - 4);
}

}  // namespace tw::aws
