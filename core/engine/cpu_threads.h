#pragma once
// LibTorch's intra-op thread count: set by the user, or one per CPU core.
//
// LibTorch 1.13 defaults to one thread per core as its cpuinfo library counts
// them, and on some virtual machines that count is 1 where the kernel offers
// more (this project's 2-core machine: 1 thread; the default counting model
// then ran the whole vtest.avi pipeline at 10.0 frames/s, with 2 threads at
// 14.2). The automatic choice counts the cores the kernel lists for the CPUs
// this process may run on (sysfs topology: distinct package and core ids, so
// SMT siblings count once).
#include <string>
#include <vector>

namespace rv {

// Distinct (physical_package_id, core_id) pairs among `cpus`, read under
// `sysfs_cpu_dir` (normally /sys/devices/system/cpu: cpuN/topology/...). A CPU
// whose files cannot be read counts as a core of its own.
int count_cores(const std::string& sysfs_cpu_dir, const std::vector<int>& cpus);

// The cores of the CPUs this process may run on (sched_getaffinity); at least 1.
int available_cores();

// n > 0: LibTorch uses n threads. n == 0: one per available core, applied once
// per process, and only when nothing chose already: neither OMP_NUM_THREADS nor
// MKL_NUM_THREADS is set, no earlier call gave n > 0, and LibTorch's count is
// lower. Throws rv::Error for n < 0. Returns LibTorch's thread count after it.
int set_intra_op_threads(int n);

}  // namespace rv
