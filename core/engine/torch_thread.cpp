// See torch_thread.h.
#include "engine/torch_thread.h"

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>

namespace rv {

namespace {

thread_local bool tl_on_torch_thread = false;

struct Task {
  const std::function<void()>* work = nullptr;
  std::exception_ptr error;
  bool done = false;
};

class TorchThread {
 public:
  TorchThread() : thread_([this] { loop(); }) { thread_.detach(); }

  void run(const std::function<void()>& work) {
    Task task;
    task.work = &work;
    std::unique_lock<std::mutex> lock(mutex_);
    queue_.push_back(&task);
    wake_.notify_one();
    done_.wait(lock, [&] { return task.done; });
    lock.unlock();
    if (task.error) std::rethrow_exception(task.error);
  }

 private:
  void loop() {
    tl_on_torch_thread = true;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return !queue_.empty(); });
      Task* task = queue_.front();
      queue_.pop_front();
      lock.unlock();
      try {
        (*task->work)();
      } catch (...) {
        task->error = std::current_exception();
      }
      lock.lock();
      task->done = true;
      done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::deque<Task*> queue_;  // first come, first served; each caller waits for its own
  std::thread thread_;
};

}  // namespace

void run_on_torch_thread(const std::function<void()>& work) {
  // RANKVISION_TORCH_THREAD=0: every caller runs its own work, as before (for measuring the difference).
  static const bool off = [] {
    const char* v = std::getenv("RANKVISION_TORCH_THREAD");
    return v != nullptr && std::string(v) == "0";
  }();
  if (tl_on_torch_thread || off) {
    work();
    return;
  }
  // Never destroyed: the thread may be waiting for work when the process exits,
  // and no static destructor may run after LibTorch's own have.
  static TorchThread* const thread = new TorchThread();
  thread->run(work);
}

bool on_torch_thread() { return tl_on_torch_thread; }

}  // namespace rv
