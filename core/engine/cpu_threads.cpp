// See cpu_threads.h.
#include "engine/cpu_threads.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <utility>

#include <torch/torch.h>

#include "common/error.h"

namespace rv {
namespace {

bool read_int(const std::string& path, long& out) {
  std::ifstream f(path);
  return static_cast<bool>(f >> out);
}

std::atomic<bool> user_chose{false};

}  // namespace

int count_cores(const std::string& sysfs_cpu_dir, const std::vector<int>& cpus) {
  std::set<std::pair<long, long>> cores;
  int unknown = 0;
  for (int cpu : cpus) {
    const std::string topo = sysfs_cpu_dir + "/cpu" + std::to_string(cpu) + "/topology/";
    long package = 0, core = 0;
    if (read_int(topo + "physical_package_id", package) && read_int(topo + "core_id", core)) {
      cores.emplace(package, core);
    } else {
      ++unknown;
    }
  }
  return static_cast<int>(cores.size()) + unknown;
}

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  std::vector<int> cpus;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) cpus.push_back(i);
  return std::max(1, count_cores("/sys/devices/system/cpu", cpus));
}

int set_intra_op_threads(int n) {
  if (n < 0) throw Error("num-threads must be >= 0 (0: one per core)");
  if (n > 0) {
    user_chose = true;
    torch::set_num_threads(n);
    return torch::get_num_threads();
  }
  static std::once_flag once;
  std::call_once(once, [] {
    if (user_chose || std::getenv("OMP_NUM_THREADS") || std::getenv("MKL_NUM_THREADS")) return;
    const int cores = available_cores();
    if (torch::get_num_threads() < cores) torch::set_num_threads(cores);
  });
  return torch::get_num_threads();
}

}  // namespace rv
