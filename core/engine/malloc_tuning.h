#pragma once
// Keeping freed memory in the process for per-frame inference on the CPU.
//
// By default glibc hands large freed blocks back to the kernel (munmap, heap
// trimming), so every frame's tensors come back as fresh pages that the kernel
// must fault in and clear. On the 2-core machine that was about 12 % of the
// default counting model's profile (perf: clear_page_rep, exc_page_fault), and
// keeping the memory made the engine about 15 % faster (bench/plugin_overhead,
// RANKVISION_MALLOC_TUNING=0 against the default, alternated). The cost: the
// process keeps its peak heap instead of returning it.
//
// The setting is process-wide, like LibTorch's thread count, so an engine
// applies it once, on the CPU only, and not when the host chose for itself:
// GLIBC_TUNABLES names a malloc setting, or RANKVISION_MALLOC_TUNING=0.
namespace rv {

// Whether to tune, given the two environment variables (nullptr when unset).
bool malloc_tuning_wanted(const char* glibc_tunables, const char* rankvision_malloc_tuning);

// Applies the setting once per process when malloc_tuning_wanted() on the
// environment; later calls do nothing. True when this process is tuned.
bool tune_malloc_for_inference();

}  // namespace rv
