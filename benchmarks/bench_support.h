// What the benchmark programs share: the calling thread's CPU time, and running one scenario in
// a child process (so its peak RSS and its heap are its own).
#pragma once

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <type_traits>

namespace mtproto::bench {

/// CPU seconds the calling thread has used.
inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

/// Runs `run()` in a forked child and reads its result back through a pipe; a default-constructed
/// result when the child fails to report.
template <class Run>
auto isolated(Run run) -> decltype(run()) {
  using outcome = decltype(run());
  static_assert(std::is_trivially_copyable_v<outcome>, "the outcome crosses a pipe as bytes");
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const outcome r = run();
    (void)!write(fds[1], &r, sizeof r);
    _exit(0);
  }
  close(fds[1]);
  outcome r{};
  if (read(fds[0], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) r = {};
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return r;
}

}  // namespace mtproto::bench
