#include "sources/lambda/runtime_api.h"

#include <fmt/format.h>

#include <charconv>

#include "common/strings.h"

namespace tw::sources {
namespace {

// A request id goes into a URL path: accept what Lambda sends (a UUID) and nothing that could
// change the path.
bool ValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string RuntimeErrorJson(const RuntimeError& error) {
  std::string out = "{\"errorMessage\":\"";
  AppendJsonEscaped(out, error.message);
  out += "\",\"errorType\":\"";
  AppendJsonEscaped(out, error.type);
  out += "\"}";
  return out;
}

Result<RuntimeApi> RuntimeApi::Create(std::string_view endpoint, http::HttpClient& client) {
  if (endpoint.empty()) return Fail(ErrorCode::kInvalidArgument, "AWS_LAMBDA_RUNTIME_API is empty");
  for (char c : endpoint) {
    if (c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '?' || c == '#') {
      return Fail(ErrorCode::kInvalidArgument, "AWS_LAMBDA_RUNTIME_API must be host:port, got \"" +
                                                   EscapeForTerminal(endpoint) + "\"");
    }
  }
  return RuntimeApi("http://" + std::string(endpoint) + "/2018-06-01", client);
}

Result<Invocation> RuntimeApi::Next() {
  http::Request request;
  request.method = "GET";
  request.url = base_ + "/runtime/invocation/next";
  auto response = client_->Send(request);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("invocation/next answered HTTP {}", response->status));
  }
  const std::string* id = response->FindHeader("Lambda-Runtime-Aws-Request-Id");
  if (id == nullptr || !ValidRequestId(*id)) {
    return Fail(ErrorCode::kParse, id == nullptr
                                       ? "invocation/next without Lambda-Runtime-Aws-Request-Id"
                                       : "invocation/next with a malformed request id");
  }
  Invocation inv;
  inv.request_id = *id;
  if (const std::string* arn = response->FindHeader("Lambda-Runtime-Invoked-Function-Arn")) {
    inv.function_arn = *arn;
  }
  if (const std::string* trace = response->FindHeader("Lambda-Runtime-Trace-Id")) {
    inv.trace_id = *trace;
  }
  if (response->body_truncated) {
    inv.problem =
        Error{ErrorCode::kResourceExhausted, "the event is larger than the runtime's limit"};
  }
  const std::string* deadline = response->FindHeader("Lambda-Runtime-Deadline-Ms");
  int64_t ms = 0;
  if (deadline == nullptr) {
    inv.problem = Error{ErrorCode::kParse, "missing Lambda-Runtime-Deadline-Ms header"};
  } else {
    const char* begin = deadline->data();
    const char* end = begin + deadline->size();
    auto [ptr, ec] = std::from_chars(begin, end, ms);
    if (ec != std::errc() || ptr != end || ms <= 0) {
      inv.problem = Error{ErrorCode::kParse, "malformed Lambda-Runtime-Deadline-Ms header \"" +
                                                 EscapeForTerminal(deadline->substr(0, 40)) + "\""};
    } else {
      inv.deadline = Clock::WallTime(std::chrono::milliseconds(ms));
    }
  }
  inv.body = std::move(response->body);
  return inv;
}

Result<void> RuntimeApi::Post(const std::string& path, const std::string& body,
                              const std::string* error_type) {
  http::Request request;
  request.method = "POST";
  request.url = base_ + path;
  request.body = body;
  request.headers.push_back({"Content-Type", "application/json"});
  if (error_type != nullptr) {
    request.headers.push_back({"Lambda-Runtime-Function-Error-Type", *error_type});
  }
  auto response = client_->Send(request);
  if (!response) return tl::unexpected(response.error());
  // 202 Accepted is the documented answer; 400/403/413/500 are errors.
  if (response->status < 200 || response->status >= 300) {
    return Fail(response->status == 413 ? ErrorCode::kResourceExhausted : ErrorCode::kUnavailable,
                fmt::format("POST {} answered HTTP {}", path, response->status));
  }
  return Ok();
}

Result<void> RuntimeApi::Respond(const std::string& request_id, const std::string& body) {
  return Post("/runtime/invocation/" + request_id + "/response", body, nullptr);
}

Result<void> RuntimeApi::ReportError(const std::string& request_id, const RuntimeError& error) {
  return Post("/runtime/invocation/" + request_id + "/error", RuntimeErrorJson(error), &error.type);
}

Result<void> RuntimeApi::ReportInitError(const RuntimeError& error) {
  return Post("/runtime/init/error", RuntimeErrorJson(error), &error.type);
}

}  // namespace tw::sources
