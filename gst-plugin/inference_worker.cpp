#include "inference_worker.h"

#include <algorithm>
#include <utility>

namespace rvgst {

InferenceWorker::~InferenceWorker() { stop(); }

void InferenceWorker::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (started_) return;
  stopping_ = false;
  started_ = true;
  thread_ = std::thread([this] { loop(); });
}

void InferenceWorker::stop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_) return;
    stopping_ = true;
    pending_.reset();
    thread = std::move(thread_);
    started_ = false;
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_seq_ = next_seq_ - 1;
  }
  done_.notify_all();
}

bool InferenceWorker::submit(Job job, Job on_discard) {
  Job discarded;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!started_ || stopping_) return false;
    if (pending_) discarded = std::move(pending_->on_discard);
    pending_ = Entry{std::move(job), std::move(on_discard), next_seq_++};
  }
  wake_.notify_one();
  if (discarded) discarded();
  return true;
}

bool InferenceWorker::run_and_wait(Job job) {
  Job discarded;
  uint64_t seq;
  std::unique_lock<std::mutex> lock(mutex_);
  if (!started_ || stopping_) return false;
  if (pending_) discarded = std::move(pending_->on_discard);
  seq = next_seq_++;
  pending_ = Entry{std::move(job), nullptr, seq};
  wake_.notify_one();
  if (discarded) {
    lock.unlock();
    discarded();
    lock.lock();
  }
  done_.wait(lock, [&] { return finished_seq_ >= seq; });
  return true;
}

void InferenceWorker::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  uint64_t last = next_seq_ - 1;
  done_.wait(lock, [&] { return finished_seq_ >= last || !started_; });
}

void InferenceWorker::discard_pending() {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.reset();
  // Jobs are numbered in order and only the newest can be pending, so with
  // nothing running every job so far is settled.
  if (!running_job_) finished_seq_ = next_seq_ - 1;
  done_.notify_all();
}

bool InferenceWorker::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.has_value() || running_job_;
}

void InferenceWorker::loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || pending_.has_value(); });
    if (stopping_) return;
    Entry entry = std::move(*pending_);
    pending_.reset();
    running_job_ = true;
    lock.unlock();
    try {
      entry.job();
    } catch (...) {
      // Jobs catch their own errors and post them; nothing may escape a thread.
    }
    lock.lock();
    running_job_ = false;
    finished_seq_ = pending_ ? std::max(finished_seq_, entry.seq) : next_seq_ - 1;
    done_.notify_all();
  }
}

}  // namespace rvgst
