// libFuzzer target: rv::read_points_json (core/data/annotations.h) on arbitrary bytes.
#include "data/annotations.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rvfuzz::on_file(data, size, "points.json", [](const std::string& path) { (void)rv::read_points_json(path); });
  return 0;
}
