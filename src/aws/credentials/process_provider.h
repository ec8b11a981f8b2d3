// ProcessProvider: a profile's `credential_process`. Runs the command with /bin/sh -c, reads
// its standard output (at most 1 MiB; its standard error passes through to ours) and parses the
// JSON the SDKs define (AWS SDKs and Tools Reference Guide, "Process credential provider"):
//   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
//    "SessionToken": "...", "Expiration": "2026-12-01T11:00:00Z"}
// SessionToken and Expiration are optional (no Expiration: the keys never expire).
// Errors: a non-zero exit status is kUnavailable, a bad document kParse; neither message
// includes the command's output (it may hold the secret). Name: "process".
//
// No timeout is applied: a hanging command hangs the fetch, as in the SDKs.
#pragma once

#include <string>

#include "aws/credentials/credentials.h"

namespace tw::aws {

class ProcessProvider final : public CredentialsProvider {
 public:
  explicit ProcessProvider(std::string command) : command_(std::move(command)) {}
  std::string_view Name() const override { return "process"; }
  [[nodiscard]] Result<Credentials> Fetch() override;

 private:
  std::string command_;
};

}  // namespace tw::aws
