// Device names → torch devices, and the one-time checks of EngineOptions.
#include "engine/device.h"

#include "common/error.h"
#include "engine/cpu_threads.h"
#include "engine/malloc_tuning.h"

namespace rv {

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name.rfind("cuda", 0) == 0) {
    int index = 0;
    if (name.size() > 4) {
      if (name[4] != ':' || name.size() == 5 ||
          name.find_first_not_of("0123456789", 5) != std::string::npos) {
        throw Error("device '" + name + "': expected cpu, cuda or cuda:N");
      }
      index = std::stoi(name.substr(5));
    }
    if (!torch::cuda::is_available()) {
      throw Error("device '" + name + "': CUDA is not available (this LibTorch has no CUDA, or no GPU is visible)");
    }
    if (index >= static_cast<int>(torch::cuda::device_count())) {
      throw Error("device '" + name + "': only " + std::to_string(torch::cuda::device_count()) + " CUDA devices");
    }
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error("device '" + name + "': expected cpu, cuda or cuda:N");
}

torch::Device checked_device(const EngineOptions& options) {
  auto device = parse_device(options.device);
  if (options.fp16 && !device.is_cuda()) {
    throw Error("precision fp16 needs a CUDA device (device is '" + options.device + "')");
  }
  set_intra_op_threads(options.num_threads);
  if (options.max_input_size < 0) throw Error("max-input-size must be >= 0");
  if (options.tile_size < 64 || options.tile_size % 16 != 0) throw Error("tile size must be a multiple of 16, >= 64");
  if (options.quality_crops < 1) throw Error("quality crops must be >= 1");
  if (device.is_cpu()) tune_malloc_for_inference();
  return device;
}

}  // namespace rv
