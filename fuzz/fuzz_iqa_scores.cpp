// libFuzzer target: rv::read_iqa_scores_csv (core/data/annotations.h) on arbitrary bytes.
#include "data/annotations.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rvfuzz::on_file(data, size, "scores.csv", [](const std::string& path) { (void)rv::read_iqa_scores_csv(path); });
  return 0;
}
