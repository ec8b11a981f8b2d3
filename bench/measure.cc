// tw_measure OUT_FILE CMD [ARGS...]: runs CMD and records its wall time and peak RSS.
//
// Writes one line "wall_seconds max_rss_kib exit_status user_seconds sys_seconds" to OUT_FILE
// (appending), and passes CMD's stdout/stderr through. Wall time comes from CLOCK_MONOTONIC around
// fork/wait4; peak RSS and CPU times come from the child's struct rusage (ru_maxrss, KiB on Linux).
// Exits with CMD's exit status (128+signal if it was killed).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace {

double Now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: tw_measure OUT_FILE CMD [ARGS...]\n");
    return 2;
  }
  const double start = Now();
  const pid_t pid = fork();
  if (pid < 0) {
    std::fprintf(stderr, "tw_measure: fork: %s\n", std::strerror(errno));
    return 2;
  }
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    std::fprintf(stderr, "tw_measure: cannot run %s: %s\n", argv[2], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "tw_measure: wait4: %s\n", std::strerror(errno));
      return 2;
    }
  }
  const double wall = Now() - start;
  const int exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::FILE* out = std::fopen(argv[1], "a");
  if (out == nullptr) {
    std::fprintf(stderr, "tw_measure: cannot open %s\n", argv[1]);
    return 2;
  }
  std::fprintf(out, "%.4f %ld %d %.4f %.4f\n", wall, usage.ru_maxrss, exit_status,
               Seconds(usage.ru_utime), Seconds(usage.ru_stime));
  std::fclose(out);
  return exit_status;
}
