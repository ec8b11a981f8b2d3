#include "cli/lambda_command.h"

#include <fmt/format.h>
#include <unistd.h>  // environ

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "aws/credentials/credential_chain.h"
#include "aws/curl_fetch.h"
#include "aws/dynamodb_state_store.h"
#include "aws/endpoints.h"
#include "aws/environment.h"
#include "aws/s3_client.h"
#include "aws/secrets_manager.h"
#include "aws/service_clients.h"
#include "cli/cli_util.h"
#include "cli/watch_command.h"
#include "common/strings.h"
#include "config/config.h"
#include "http/http_client.h"
#include "http/socket_http_client.h"
#include "pipeline/daemon.h"
#include "pipeline/lambda_handler.h"
#include "rules/diagnostic.h"
#include "sources/lambda/invocation_event.h"
#include "sources/lambda/runtime_api.h"
#include "state/memory/memory_state_store.h"

namespace tw::cli {
namespace {

using Ms = std::chrono::milliseconds;

// One JSON log line on stderr. `fields` is a run of `"key":value` pairs, already JSON.
void LogJson(const std::string& fields) {
  std::string line = "{\"time\":";
  line += std::to_string(
      std::chrono::duration_cast<Ms>(std::chrono::system_clock::now().time_since_epoch()).count());
  line += ",";
  line += fields;
  line += "}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

std::string Quoted(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// The config without TRAILWATCH_CONFIG: a Slack webhook from SLACK_WEBHOOK_URL, else stdout.
std::string DefaultConfigText() {
  if (!Env("SLACK_WEBHOOK_URL").empty()) {
    return "sinks:\n  - type: slack\n    webhook_url: ${SLACK_WEBHOOK_URL}\n";
  }
  return "sinks:\n  - type: stdout\n    format: json\n";
}

constexpr std::string_view kSecretArnSuffix = "_SECRET_ARN";

// Every NAME_SECRET_ARN variable: NAME becomes the secret's SecretString (Secrets Manager
// GetSecretValue), once, before the config is read, so `${NAME}` in the config and
// SLACK_WEBHOOK_URL see it. Read at start-up only: the value is cached for as long as the
// environment stays warm (a rotated secret is picked up by the next cold start). Nothing AWS is
// built when no such variable exists. Returns how many were set.
Result<int> ResolveSecretArns(const Clock& clock) {
  std::vector<std::pair<std::string, std::string>> wanted;  // NAME, ARN
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    const size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = entry.substr(0, eq);
    if (name.size() <= kSecretArnSuffix.size() || !name.ends_with(kSecretArnSuffix)) continue;
    if (eq + 1 == entry.size()) continue;  // empty: not asked for
    wanted.emplace_back(std::string(name.substr(0, name.size() - kSecretArnSuffix.size())),
                        std::string(entry.substr(eq + 1)));
  }
  if (wanted.empty()) return 0;
  const aws::Environment env = aws::Environment::FromProcess();
  const std::optional<std::string> region = aws::ResolveRegion(env, nullptr);
  if (!region) return Fail(ErrorCode::kInvalidArgument, "Secrets Manager: no region (AWS_REGION)");
  auto endpoint = aws::ResolveEndpoint(aws::Service::kSecretsManager, *region, env);
  if (!endpoint) return tl::unexpected(endpoint.error());
  aws::CurlFetchOptions fetch_options;
  fetch_options.total_timeout = std::chrono::seconds(10);
  fetch_options.max_body_bytes = std::size_t{1} << 20;
  auto fetch = aws::MakeCurlFetch(fetch_options);
  if (!fetch) return tl::unexpected(fetch.error());
  auto chain = aws::CredentialChain::Default(env, *region, *fetch, clock);
  auto credentials = chain->Get();
  if (!credentials) return tl::unexpected(credentials.error());
  for (const auto& [name, arn] : wanted) {
    if (std::getenv(name.c_str()) != nullptr) {
      return Fail(
          ErrorCode::kInvalidArgument,
          "both " + name + " and " + name + std::string(kSecretArnSuffix) + " are set; keep one");
    }
    auto value = aws::GetSecretString(*fetch, *endpoint, *credentials, arn, clock);
    if (!value) {
      return Fail(value.error().code,
                  name + std::string(kSecretArnSuffix) + ": " + value.error().message);
    }
    setenv(name.c_str(), value->c_str(), 1);
  }
  return static_cast<int>(wanted.size());
}

tl::expected<LoadedConfig, std::string> LoadLambdaConfig() {
  const std::string path = Env("TRAILWATCH_CONFIG");
  if (!path.empty()) return LoadConfigAndRules(path);
  auto parsed = config::ParseConfig(DefaultConfigText(), "(environment)", config::ProcessEnv());
  if (!parsed) return tl::unexpected(rules::FormatDiagnostics(parsed.error()));
  auto loaded = LoadRules(parsed->rule_paths, !parsed->builtin_rules, /*with_tests=*/false);
  if (!loaded) return tl::unexpected(loaded.error().message);
  return LoadedConfig{std::move(*parsed), std::move(*loaded)};
}

// The S3 fetcher of the S3, SNS and SQS shapes, built on first use: a deployment fed by
// CloudWatch Logs or EventBridge never pays for it at cold start. Region from AWS_REGION (Lambda
// sets it), endpoint from AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL when set (tests), credentials
// from the SDKs' default chain (Lambda's AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN).
class LazyS3 {
 public:
  explicit LazyS3(const Clock& clock) : clock_(clock) {}

  Result<std::string> Fetch(const sources::S3Object& object) {
    if (!client_) {
      if (auto r = Build(); !r) return tl::unexpected(r.error());
    }
    return client_->GetObject(object.bucket, object.key);
  }

 private:
  Result<void> Build() {
    const aws::Environment env = aws::Environment::FromProcess();
    const std::optional<std::string> region = aws::ResolveRegion(env, nullptr);
    if (!region) return Fail(ErrorCode::kInvalidArgument, "S3: no region (set AWS_REGION)");
    auto endpoint = aws::ResolveEndpoint(aws::Service::kS3, *region, env);
    if (!endpoint) return tl::unexpected(endpoint.error());
    aws::CurlFetchOptions fetch_options;
    fetch_options.total_timeout = std::chrono::seconds(60);
    fetch_options.max_body_bytes = std::size_t{256} << 20;
    auto fetch = aws::MakeCurlFetch(fetch_options);
    if (!fetch) return tl::unexpected(fetch.error());
    chain_ = aws::CredentialChain::Default(env, *region, *fetch, clock_);
    aws::S3ClientOptions options;
    options.endpoint = std::move(*endpoint);
    aws::CredentialChain* chain = chain_.get();
    client_ = std::make_unique<aws::S3Client>(
        *fetch, [chain] { return chain->Get(); }, std::move(options), clock_);
    return Ok();
  }

  const Clock& clock_;
  std::unique_ptr<aws::CredentialChain> chain_;
  std::unique_ptr<aws::S3Client> client_;
};

// Where the dedupe and threshold windows live (docs/lambda.md, "State"):
//   * TRAILWATCH_STATE_TABLE set (deploy/template.yaml sets it with StateTable=dynamodb), or the
//     config's `state: {type: dynamodb, table: T}`: DynamoDB, through the same
//     aws::DynamoDbStateStore as `watch` (its local half is a memory store: a Lambda has no
//     durable disk, and the runtime uses only the windows). They hold across invocations, cold
//     starts and concurrent instances.
//   * otherwise memory: they hold only while this execution environment stays warm.
// Building the DynamoDB store makes no request: the first window read is the first call.
// `what` is set to "dynamodb:<table>" or "memory" for the cold-start log line.
Result<std::unique_ptr<state::StateStore>> OpenWindows(const config::StateConfig& state,
                                                       Clock& clock, std::string& what) {
  std::string table = Env("TRAILWATCH_STATE_TABLE");
  if (table.empty() && state.type == "dynamodb") table = state.table;
  auto memory = std::make_unique<state::MemoryStateStore>(clock);
  if (table.empty()) {
    what = "memory";
    return std::unique_ptr<state::StateStore>(std::move(memory));
  }
  auto setup = aws::DefaultAwsSetup(clock);
  if (!setup) return tl::unexpected(setup.error());
  auto db = aws::MakeDynamoDbClient(*setup, clock);
  if (!db) return Fail(db.error().code, "DynamoDB state: " + db.error().message);
  aws::DynamoDbStateOptions options;
  options.table = table;
  auto shared =
      aws::DynamoDbStateStore::Create(std::move(memory), std::move(*db), std::move(options), clock);
  if (!shared) return Fail(shared.error().code, "DynamoDB state: " + shared.error().message);
  what = "dynamodb:" + table;
  return std::unique_ptr<state::StateStore>(std::move(*shared));
}

// Everything that lives as long as the execution environment.
struct Runtime {
  SystemClock clock;
  std::unique_ptr<state::StateStore> windows;
  std::string windows_kind;  // OpenWindows' `what`
  std::unique_ptr<LazyS3> s3;
  std::vector<std::unique_ptr<sinks::Sink>> sinks;
  std::unique_ptr<pipeline::LambdaHandler> handler;
};

Result<void> BuildRuntime(LoadedConfig loaded, Runtime& rt) {
  auto processing = pipeline::BuildProcessing(loaded.config, std::move(loaded.rules));
  if (!processing) return tl::unexpected(processing.error());
  auto windows = OpenWindows(loaded.config.state, rt.clock, rt.windows_kind);
  if (!windows) return tl::unexpected(windows.error());
  rt.windows = std::move(*windows);
  pipeline::LambdaParts parts;
  for (const config::SinkConfig& s : loaded.config.sinks) {
    auto sink = pipeline::BuildSink(s, rt.clock);
    if (!sink) {
      return Fail(sink.error().code, fmt::format("sink `{}`: {}", s.name, sink.error().message));
    }
    parts.sinks.push_back(sink->get());
    rt.sinks.push_back(std::move(*sink));
  }
  parts.processing = std::move(*processing);
  parts.windows = rt.windows.get();
  parts.clock = &rt.clock;
  parts.wait = [](Clock::MonoTime until) { std::this_thread::sleep_until(until); };
  rt.s3 = std::make_unique<LazyS3>(rt.clock);
  parts.fetch = [s3 = rt.s3.get()](const sources::S3Object& o) { return s3->Fetch(o); };
  pipeline::LambdaHandlerOptions options;
  if (const std::string reserve = Env("TRAILWATCH_RESERVE_MS"); !reserve.empty()) {
    char* end = nullptr;
    const long ms = std::strtol(reserve.c_str(), &end, 10);
    if (end == reserve.c_str() || *end != '\0' || ms < 0 || ms > 600'000) {
      return Fail(ErrorCode::kInvalidArgument,
                  "TRAILWATCH_RESERVE_MS must be a number of milliseconds (0-600000)");
    }
    options.reserve = Ms(ms);
  }
  auto handler = pipeline::LambdaHandler::Create(std::move(parts), options);
  if (!handler) return tl::unexpected(handler.error());
  rt.handler = std::move(*handler);
  return Ok();
}

}  // namespace

CLI::App* AddLambdaCommand(CLI::App& app, LambdaArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "lambda",
      "Run as an AWS Lambda custom runtime (also automatic when AWS_LAMBDA_RUNTIME_API "
      "is set)");
  cmd->add_option("--runtime-api", args.runtime_api,
                  "The Runtime API's host:port (default: $AWS_LAMBDA_RUNTIME_API)")
      ->type_name("HOST:PORT");
  cmd->footer(
      "\nEnvironment: TRAILWATCH_CONFIG (a config file), SLACK_WEBHOOK_URL (without a config: "
      "one Slack webhook sink; with neither, JSON alerts on stdout), TRAILWATCH_RESERVE_MS "
      "(time kept to answer before the deadline, default 1000). docs/lambda.md.\n"
      "Exit status: 1 when the Runtime API goes away, 2 when the config cannot be loaded (after "
      "posting /runtime/init/error).");
  return cmd;
}

int RunLambda(const LambdaArgs& args) {
  const std::string endpoint =
      args.runtime_api.empty() ? Env("AWS_LAMBDA_RUNTIME_API") : args.runtime_api;
  http::ClientOptions http_options;
  // The `next` GET waits while the environment is frozen between events; it must not time out
  // (AWS Runtime API docs; aws-lambda-cpp sets no timeout). The clients want a positive value:
  // a week outlives any execution environment.
  http_options.total_timeout = std::chrono::hours(24 * 7);
  http_options.max_body_bytes = std::size_t{7} << 20;  // synchronous invocations: at most 6 MB
  // The Runtime API is plain HTTP to the execution environment's own endpoint: the socket
  // client in every binary (not MakeHttpClient's libcurl in `trailwatch`), so that a cold start
  // loads no libcurl (its ~27 libraries) unless a sink needs it, and no proxy variable
  // (HTTP_PROXY, which a function may set for its own traffic) can divert the Runtime API.
  auto client = http::SocketHttpClient::Create(http_options);
  if (!client) {
    PrintError(client.error().message);
    return kExitInputError;
  }
  auto api = sources::RuntimeApi::Create(endpoint, **client);
  if (!api) {
    PrintError(api.error().message);
    return kExitUsage;
  }

  Runtime rt;
  Result<void> built;
  if (auto secrets = ResolveSecretArns(rt.clock); !secrets) {
    built = tl::unexpected(secrets.error());
  } else {
    auto loaded = LoadLambdaConfig();
    built = loaded
                ? BuildRuntime(std::move(*loaded), rt)
                : Result<void>(tl::unexpected(Error{ErrorCode::kInvalidArgument, loaded.error()}));
  }
  if (!built) {
    std::fprintf(stderr, "%s\n", built.error().message.c_str());
    LogJson("\"level\":\"error\",\"msg\":\"init failed\",\"error\":" +
            Quoted(built.error().message));
    auto posted =
        api->ReportInitError(sources::RuntimeError{pipeline::kErrorConfig, built.error().message});
    if (!posted) PrintError("init/error: " + posted.error().message);
    return kExitUsage;
  }

  bool first = true;
  while (true) {
    if (first) {
      const auto init = std::chrono::steady_clock::now() - args.process_start;
      LogJson(fmt::format(
          "\"level\":\"info\",\"msg\":\"cold start\",\"init_ms\":{:.3f},\"rules\":{},\"sinks\":{},"
          "\"state\":{}",
          std::chrono::duration<double, std::milli>(init).count(), rt.handler->rule_count(),
          rt.sinks.size(), Quoted(rt.windows_kind)));
      first = false;
    }
    auto inv = api->Next();
    if (!inv) {
      if (inv.error().code == ErrorCode::kParse) {
        // No usable request id: nothing can be answered. Ask for the next event.
        LogJson("\"level\":\"error\",\"msg\":\"bad invocation\",\"error\":" +
                Quoted(inv.error().message));
        continue;
      }
      LogJson("\"level\":\"error\",\"msg\":\"runtime api unreachable\",\"error\":" +
              Quoted(inv.error().message));
      return kExitInputError;
    }
    const auto started = rt.clock.Monotonic();
    if (!inv->trace_id.empty()) setenv("_X_AMZN_TRACE_ID", inv->trace_id.c_str(), 1);

    std::string shape = "none";
    pipeline::InvocationOutcome outcome;
    if (inv->problem) {
      outcome.error = sources::RuntimeError{pipeline::kErrorBadInvocation, inv->problem->message};
    } else {
      auto event = sources::ParseInvocationEvent(inv->body);
      if (!event) {
        outcome.error = sources::RuntimeError{event.error().code == ErrorCode::kInvalidArgument
                                                  ? pipeline::kErrorUnknownShape
                                                  : pipeline::kErrorBadEvent,
                                              event.error().message};
      } else {
        shape = sources::EventShapeName(event->shape);
        const auto deadline = started + (*inv->deadline - rt.clock.Now());
        outcome = rt.handler->Handle(*event, "lambda:" + inv->request_id, deadline);
      }
    }
    const auto handled = rt.clock.Monotonic();
    Result<void> answered = outcome.error ? api->ReportError(inv->request_id, *outcome.error)
                                          : api->Respond(inv->request_id, outcome.response);
    const double ms = std::chrono::duration<double, std::milli>(handled - started).count();
    const double answer_ms =
        std::chrono::duration<double, std::milli>(rt.clock.Monotonic() - handled).count();
    std::string fields = fmt::format(
        "\"level\":\"{}\",\"msg\":\"invocation\",\"request_id\":{},\"shape\":\"{}\","
        "\"items\":{},\"events\":{},\"alerts\":{},\"suppressed\":{},\"delivered\":{},"
        "\"failed_items\":{},\"outcome\":\"{}\",\"duration_ms\":{:.3f},\"answer_ms\":{:.3f}",
        outcome.error ? "error" : "info", Quoted(inv->request_id), shape, outcome.items,
        outcome.events, outcome.alerts, outcome.suppressed, outcome.delivered,
        outcome.failed_items.size(), outcome.error ? "error" : "ok", ms, answer_ms);
    if (outcome.error) {
      fields += ",\"error_type\":" + Quoted(outcome.error->type) +
                ",\"error\":" + Quoted(outcome.error->message);
    }
    if (!outcome.notes.empty()) {
      fields += ",\"notes\":[";
      for (size_t i = 0; i < outcome.notes.size(); ++i) {
        if (i > 0) fields += ',';
        fields += Quoted(outcome.notes[i]);
      }
      fields += "]";
    }
    if (!answered) fields += ",\"answer_error\":" + Quoted(answered.error().message);
    LogJson(fields);
  }
}

}  // namespace tw::cli
