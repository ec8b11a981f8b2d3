// Test helper: runs tests/integration/standin/http_standin.py on 127.0.0.1 (port 0) and drives
// its control API. Test-only (integration tests); kills and reaps the process it started.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "http/curl_http_client.h"

extern char** environ;

namespace tw::http::testing {

class StandinProcess {
 public:
  // Starts the stand-in; port() is 0 when it failed to start.
  // `tls_cert`/`tls_key` given: the stand-in serves HTTPS with them (Url() then says https).
  explicit StandinProcess(const std::string& script, const std::string& tls_cert = "",
                          const std::string& tls_key = "")
      : tls_(!tls_cert.empty()) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<const char*> argv = {"/usr/bin/python3", script.c_str(), "--port", "0"};
    if (tls_) {
      argv.insert(argv.end(), {"--tls", tls_cert.c_str(), tls_key.c_str()});
    }
    argv.push_back(nullptr);
    const int rc =
        posix_spawn(&pid_, argv[0], &actions, nullptr, const_cast<char**>(argv.data()), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      pid_ = -1;
      ::close(fds[0]);
      return;
    }
    // Blocks until the stand-in has bound its port and printed "LISTENING <port>".
    FILE* out = ::fdopen(fds[0], "r");
    char line[128] = {0};
    if (out != nullptr && std::fgets(line, sizeof line, out) != nullptr) {
      std::sscanf(line, "LISTENING %d", &port_);
    }
    if (out != nullptr) std::fclose(out);
    CurlOptions options;
    options.max_body_bytes = 64 << 20;
    if (tls_) options.ca_file = tls_cert;
    auto client = CurlHttpClient::Create(options);
    if (client) control_ = std::move(*client);
  }
  ~StandinProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  StandinProcess(const StandinProcess&) = delete;
  StandinProcess& operator=(const StandinProcess&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
  }
  // POST /_script with a JSON list of answers.
  bool Script(const std::string& json) {
    auto r = control_->Send({"POST", Url("/_script"), {}, json});
    return r && r->status == 200;
  }
  // GET /_requests: the recorded requests as JSON text (RecordedRequests below parses them).
  std::string Requests() {
    auto r = control_->Send({"GET", Url("/_requests"), {}, ""});
    return r ? r->body : "";
  }
  bool Reset() {
    auto r = control_->Send({"POST", Url("/_reset"), {}, ""});
    return r && r->status == 200;
  }

 private:
  bool tls_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::unique_ptr<CurlHttpClient> control_;
};

// One request as the stand-in recorded it.
struct Recorded {
  std::string method, path, body;
  int64_t client_port = 0;
  std::map<std::string, std::string> headers;
};

// The stand-in's recorded requests, oldest first; a malformed answer is a test failure.
inline std::vector<Recorded> RecordedRequests(StandinProcess& standin) {
  const std::string json = standin.Requests();
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  std::vector<Recorded> out;
  if (parser.parse(json).get(list) != simdjson::SUCCESS) {
    ADD_FAILURE() << "bad /_requests: " << json;
    return out;
  }
  for (simdjson::dom::element e : list) {
    Recorded r;
    r.method = std::string(e["method"].get_string().value());
    r.path = std::string(e["path"].get_string().value());
    r.body = std::string(e["body"].get_string().value());
    r.client_port = e["client_port"].get_int64().value();
    for (auto [k, v] : e["headers"].get_object()) {
      r.headers[std::string(k)] = std::string(v.get_string().value());
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace tw::http::testing
