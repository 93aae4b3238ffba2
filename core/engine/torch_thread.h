#pragma once
// One thread for all CPU inference of a process.
//
// LibTorch and oneDNN run their parallel work on OpenMP (libgomp), which gives
// every thread that starts parallel work a team of its own. Once a process holds
// more team threads than it has cores, libgomp stops spinning between parallel
// regions and parks every thread on a futex instead, and a network of a hundred
// small layers then waits on the kernel at every layer. Two elements in one
// pipeline (crowdcount ! iqascore), each on its own worker thread, ran vtest.avi
// at 7.0 frames/s together on 2 cores where they ran at 20.7 and 25.8 alone.
// Every CPU engine (CrowdCounter::count, QualityScorer::score) therefore runs its
// frame here, so the process keeps one team however many engines it has.
#include <functional>

namespace rv {

// Runs `work` on the process's inference thread and returns when it has run;
// an exception it throws is rethrown here. Called from that thread (work that
// nests), it runs `work` directly. The thread starts on the first call and
// lives as long as the process. RANKVISION_TORCH_THREAD=0 in the environment
// runs `work` on the calling thread instead (the behaviour before, to compare).
void run_on_torch_thread(const std::function<void()>& work);

// True on the inference thread.
bool on_torch_thread();

}  // namespace rv
