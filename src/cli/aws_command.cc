#include "cli/aws_command.h"

#include <fmt/format.h>

#include <cstdio>

#include "aws/client_context.h"
#include "aws/sts_client.h"
#include "cli/cli_util.h"
#include "common/clock.h"
#include "common/strings.h"

namespace tw::cli {
namespace {

std::string JsonEscape(std::string_view s) {
  std::string out;
  AppendJsonEscaped(out, s);
  return out;
}

int WhoAmI(const AwsArgs& args) {
  SystemClock clock;
  auto context = aws::ClientContext::Create(aws::Environment::FromProcess(), clock);
  if (!context) {
    PrintError(context.error().message);
    return kExitInputError;
  }
  auto creds = context->chain->Get();
  if (!creds) {
    PrintError("credentials: " + creds.error().message);
    return kExitInputError;
  }
  auto endpoint = aws::ResolveEndpoint(aws::Service::kSts, context->region, context->env);
  if (!endpoint) {
    PrintError(endpoint.error().message);
    return kExitUsage;
  }
  const std::string key = aws::MaskAccessKeyId(creds->access_key_id);
  const std::string expires =
      creds->expiration ? aws::FormatIso8601(*creds->expiration) : std::string();
  const std::string region =
      context->region + (context->region_defaulted ? " (default: no AWS_REGION, "
                                                     "AWS_DEFAULT_REGION or profile region)"
                                                   : "");
  aws::StsClient sts(context->fetch, *endpoint, clock);
  auto id = sts.GetCallerIdentity(*creds);
  if (args.format == "json") {
    std::string out = "{\"credential_source\":\"" + JsonEscape(creds->source) +
                      "\",\"access_key_id\":\"" + JsonEscape(key) +
                      "\",\"expires\":" + (expires.empty() ? "null" : "\"" + expires + "\"") +
                      ",\"region\":\"" + JsonEscape(context->region) + "\",\"sts_endpoint\":\"" +
                      JsonEscape(endpoint->url) + "\"";
    if (id) {
      out += ",\"account\":\"" + JsonEscape(id->account) + "\",\"arn\":\"" + JsonEscape(id->arn) +
             "\",\"user_id\":\"" + JsonEscape(id->user_id) + "\"";
    }
    out += "}\n";
    std::fputs(out.c_str(), stdout);
  } else {
    std::printf("credentials: %s (access key %s%s)\n", creds->source.c_str(), key.c_str(),
                expires.empty() ? "" : (", expires " + expires).c_str());
    std::printf("region:      %s\n", EscapeForTerminal(region).c_str());
    std::printf("sts:         %s\n", EscapeForTerminal(endpoint->url).c_str());
    if (id) {
      std::printf("account:     %s\n", EscapeForTerminal(id->account).c_str());
      std::printf("arn:         %s\n", EscapeForTerminal(id->arn).c_str());
      std::printf("user id:     %s\n", EscapeForTerminal(id->user_id).c_str());
    }
  }
  if (std::fflush(stdout) != 0) return kExitOutputError;
  if (!id) {
    PrintError(id.error().message);
    return kExitInputError;
  }
  return kExitOk;
}

}  // namespace

CLI::App* AddAwsCommand(CLI::App& app, AwsArgs& args, std::string& which) {
  CLI::App* cmd = app.add_subcommand("aws", "AWS account and credential tools");
  cmd->footer("");
  cmd->require_subcommand(1);
  CLI::App* whoami = cmd->add_subcommand(
      "whoami", "Which credential source wins, and STS GetCallerIdentity with it");
  whoami->add_option("--format", args.format, "Output: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  whoami->footer(
      "\nCredential chain, first configured source wins: environment (AWS_ACCESS_KEY_ID), web "
      "identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), the shared config/credentials "
      "files (AWS_PROFILE), the container endpoint, IMDSv2.\nExit status: 0 when STS answered, "
      "1 when no credentials were found or STS refused them.");
  whoami->callback([&which, whoami] { which = whoami->get_name(); });
  return cmd;
}

int RunAws(const AwsArgs& args, const std::string& which) {
  if (which == "whoami") return WhoAmI(args);
  return kExitUsage;
}

}  // namespace tw::cli
