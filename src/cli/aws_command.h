// `trailwatch aws whoami`: which AWS credentials trailwatch would use, and whose they are.
//
// Resolves the region and the default credential chain as every AWS source does
// (aws/client_context.h), prints the provider that won ("environment", "web-identity",
// "profile", "assume-role", "process", "container", "imds"), the access key id masked to its
// last four characters, the expiry of temporary credentials, the region and the endpoint used,
// then calls STS GetCallerIdentity and prints the account, ARN and user id. The secret key and
// the session token are never printed.
//
// Exit status: 0 when STS answered, 1 when no credentials were found or STS refused them (the
// reason on stderr, e.g. "STS GetCallerIdentity: InvalidClientTokenId: ..."), 2 on a usage error.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace tw::cli {

struct AwsArgs {
  std::string format = "text";  // text or json
};

// Adds `aws` with its subcommands; `which` receives the chosen one's name.
CLI::App* AddAwsCommand(CLI::App& app, AwsArgs& args, std::string& which);
int RunAws(const AwsArgs& args, const std::string& which);

}  // namespace tw::cli
