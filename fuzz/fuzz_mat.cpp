// libFuzzer target: the ShanghaiTech .mat reader (matio underneath; core/data/shanghaitech.h).
#include "data/shanghaitech.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rvfuzz::on_file(data, size, "GT_IMG_1.mat", [](const std::string& path) { (void)rv::read_shanghaitech_mat(path); });
  return 0;
}
