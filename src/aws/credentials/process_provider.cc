#include "aws/credentials/process_provider.h"

#include <simdjson.h>
#include <sys/wait.h>

#include <cstdio>

#include "aws/credentials/json_credentials.h"

namespace tw::aws {
namespace {
constexpr size_t kMaxOutput = 1 << 20;
}  // namespace

Result<Credentials> ProcessProvider::Fetch() {
  if (command_.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "credential_process: the command is empty");
  }
  std::fflush(nullptr);
  FILE* pipe = popen(command_.c_str(), "r");
  if (pipe == nullptr) return Fail(ErrorCode::kIo, "credential_process: cannot start the command");
  std::string output;
  char buf[4096];
  bool too_long = false;
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    if (output.size() + n > kMaxOutput) {
      too_long = true;
      continue;  // drain, so the child is not killed by SIGPIPE before it exits
    }
    output.append(buf, n);
  }
  int status = pclose(pipe);
  if (status == -1) return Fail(ErrorCode::kIo, "credential_process: cannot wait for the command");
  if (WIFSIGNALED(status)) {
    return Fail(ErrorCode::kUnavailable, "credential_process: the command was killed by signal " +
                                             std::to_string(WTERMSIG(status)));
  }
  if (WEXITSTATUS(status) != 0) {
    return Fail(ErrorCode::kUnavailable, "credential_process: the command exited with status " +
                                             std::to_string(WEXITSTATUS(status)));
  }
  if (too_long) return Fail(ErrorCode::kParse, "credential_process: output is over 1 MiB");

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  int64_t version = 0;
  if (parser.parse(output).get(doc) != simdjson::SUCCESS ||
      doc["Version"].get(version) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "credential_process: output has no numeric Version");
  }
  if (version != 1) {
    return Fail(ErrorCode::kParse, "credential_process: unsupported Version " +
                                       std::to_string(version) + " (expected 1)");
  }
  auto creds = ParseJsonCredentials(output, "SessionToken", /*expiration_required=*/false,
                                    "credential_process");
  if (!creds) return creds;
  creds->source = "process";
  return creds;
}

}  // namespace tw::aws
