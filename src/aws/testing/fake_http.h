// Test helpers for src/aws/: an in-process HttpFetch that answers from a table and records
// every request, and a temporary directory that removes itself. Test code only.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "aws/http_fetch.h"

namespace tw::aws::testing {

class FakeHttp {
 public:
  // Answers `method url` with `response` (every time it is asked).
  void On(std::string method, std::string url, int status, std::string body,
          HttpHeaders headers = {}) {
    routes_[{std::move(method), std::move(url)}] =
        HttpResponse{status, std::move(headers), std::move(body)};
  }

  // The HttpFetch to inject. Unknown routes fail with kUnavailable, as a refused connection.
  HttpFetch Fetch() {
    return [this](const HttpRequest& request) -> Result<HttpResponse> {
      requests.push_back(request);
      auto it = routes_.find({request.method, request.url});
      if (it == routes_.end()) {
        return Fail(ErrorCode::kUnavailable, "connection refused (fake): " + request.url);
      }
      return it->second;
    };
  }

  std::vector<HttpRequest> requests;

 private:
  std::map<std::pair<std::string, std::string>, HttpResponse> routes_;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tw_aws_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `content` to `name` inside the directory and returns its full path.
  std::string Write(const std::string& name, const std::string& content, bool executable = false) {
    std::string full = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(full).parent_path());
    std::ofstream(full, std::ios::binary) << content;
    if (executable) {
      std::filesystem::permissions(full, std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add);
    }
    return full;
  }

 private:
  std::string path_;
};

}  // namespace tw::aws::testing
