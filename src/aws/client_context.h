// ClientContext: what every AWS-facing command and source needs, resolved once from the
// process environment: the region, the libcurl HttpFetch (curl_fetch.h), the default credential
// chain (credential_chain.h) and the endpoints.
//
// Region: AWS_REGION, AWS_DEFAULT_REGION, then the selected profile's `region`
// (endpoints.h, ResolveRegion); when none is set, `fallback_region` ("us-east-1", where S3 and
// STS have their global endpoints, as botocore's S3 client falls back to) and
// `region_defaulted` is true.
//
// Ownership and thread-safety: the chain is shared (shared_ptr) so that the credentials
// function handed to clients keeps it alive; CredentialChain is thread-safe, and so are the
// fetch and the Credentials() function. The Clock is borrowed and must outlive the context and
// every client built from it.
#pragma once

#include <memory>
#include <string>

#include "aws/credentials/credential_chain.h"
#include "aws/curl_fetch.h"
#include "aws/endpoints.h"
#include "aws/environment.h"
#include "aws/http_fetch.h"
#include "aws/s3_client.h"
#include "common/clock.h"
#include "common/error.h"

namespace tw::aws {

struct ClientContext {
  Environment env;
  std::string region;
  bool region_defaulted = false;
  HttpFetch fetch;
  std::shared_ptr<CredentialChain> chain;

  // kInvalidArgument for a shared config file that does not parse; kInternal when libcurl
  // cannot start.
  [[nodiscard]] static Result<ClientContext> Create(Environment env, const Clock& clock,
                                                    CurlFetchOptions fetch_options = {},
                                                    std::string fallback_region = "us-east-1");

  // The chain's Get(), as a CredentialsFn for clients.
  CredentialsFn Credentials() const;

  // An S3 client for this context's region and S3 endpoint (path-style when asked for).
  [[nodiscard]] Result<std::unique_ptr<S3Client>> MakeS3Client(const Clock& clock,
                                                               bool path_style) const;
};

// "****WXYZ": the last four characters of an access key id, as `aws configure list` shows it.
std::string MaskAccessKeyId(const std::string& access_key_id);

}  // namespace tw::aws
