// libFuzzer target: the MOT gt.txt reader (core/data/mot.h), and what the
// element and eval-count ask of it afterwards.
#include "data/mot.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rvfuzz::on_file(data, size, "gt.txt", [](const std::string& path) {
    const auto gt = rv::MotGroundTruth::load(path);
    for (int f : gt.frames()) {
      (void)gt.head_points(f);
      (void)gt.count(f);
    }
    (void)gt.last_frame();
  });
  return 0;
}
