#pragma once
// One background thread with a queue one job deep. A newer job replaces a job
// that has not started yet (the latest frame wins), so a network slower than
// the stream never makes the streaming thread wait — unless the caller asks
// to wait (run_and_wait) for offline processing.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace rvgst {

class InferenceWorker {
 public:
  using Job = std::function<void()>;

  InferenceWorker() = default;
  ~InferenceWorker();
  InferenceWorker(const InferenceWorker&) = delete;
  InferenceWorker& operator=(const InferenceWorker&) = delete;

  void start();
  // Discards the pending job (without its on_discard), lets the running one
  // finish, joins the thread. Never hangs longer than one inference.
  void stop();
  // Queues `job`; a job still waiting is discarded and its `on_discard` runs
  // on the caller's thread. Returns false when the worker is not running.
  bool submit(Job job, Job on_discard = nullptr);
  // Queues `job` and waits until it has run (or was discarded by stop()).
  bool run_and_wait(Job job);
  // Waits until nothing is pending or running (EOS).
  void drain();
  // Drops the pending job without calling its on_discard (flush).
  void discard_pending();
  bool busy() const;

 private:
  struct Entry {
    Job job;
    Job on_discard;
    uint64_t seq = 0;
  };
  void loop();

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // worker: a job arrived or stop
  std::condition_variable done_;  // callers: a job finished
  std::optional<Entry> pending_;
  bool running_job_ = false;
  bool stopping_ = false;
  bool started_ = false;
  uint64_t next_seq_ = 1;
  uint64_t finished_seq_ = 0;  // jobs run in seq order, so every seq <= this is settled
  std::thread thread_;
};

}  // namespace rvgst
