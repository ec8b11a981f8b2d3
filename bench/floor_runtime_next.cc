// The cold-start harness's floor (bench/lambda_bench.py): a statically linked program that does
// only what a custom runtime must do before it can take an event, i.e. read
// AWS_LAMBDA_RUNTIME_API and send `GET /2018-06-01/runtime/invocation/next`, then waits for the
// answer and exits. No C++ runtime, no allocation, no dynamic loader: what lambda_bench.py
// measures for this program is the cost of spawning a process from Python and of the stand-in
// noticing the request, which no runtime can go below.
//
//   AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 tw_floor_runtime_next
// Exit status: 0 after an answer, 1 when the endpoint is missing, unreachable or closes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

int main() {
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api == nullptr) return 1;
  const char* colon = std::strrchr(api, ':');
  if (colon == nullptr || colon - api >= 64) return 1;
  char host[64];
  std::memcpy(host, api, static_cast<size_t>(colon - api));
  host[colon - api] = '\0';
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(colon + 1)));
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) return 1;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return 1;
  char request[256];
  const int n = std::snprintf(request, sizeof request,
                              "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: %s\r\n"
                              "Connection: close\r\n\r\n",
                              api);
  if (n <= 0 || write(fd, request, static_cast<size_t>(n)) != n) return 1;
  char buf[4096];
  return read(fd, buf, sizeof buf) > 0 ? 0 : 1;
}
