// See malloc_tuning.h.
#include "engine/malloc_tuning.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rv {

bool malloc_tuning_wanted(const char* glibc_tunables, const char* rankvision_malloc_tuning) {
  if (rankvision_malloc_tuning && std::strcmp(rankvision_malloc_tuning, "0") == 0) return false;
  if (glibc_tunables && std::strstr(glibc_tunables, "glibc.malloc.")) return false;
  return true;
}

bool tune_malloc_for_inference() {
  static std::once_flag once;
  static bool tuned = false;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    if (!malloc_tuning_wanted(std::getenv("GLIBC_TUNABLES"), std::getenv("RANKVISION_MALLOC_TUNING"))) return;
    // Blocks up to 32 MiB (glibc's largest allowed threshold) come from the heap, not
    // their own mapping, and the heap is not trimmed until 512 MiB lie free at its top.
    tuned = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1 && mallopt(M_TRIM_THRESHOLD, 512 << 20) == 1;
#endif
  });
  return tuned;
}

}  // namespace rv
