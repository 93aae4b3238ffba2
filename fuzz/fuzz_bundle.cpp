// libFuzzer target: the model bundle loader (core/bundle/bundle.h), which the
// element runs on every model-file it is given and the CLI on every --model.
#include "bundle/bundle.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rvfuzz::on_file(data, size, "model.rvm", [](const std::string& path) {
    (void)rv::read_bundle_meta(path);
    (void)rv::load_bundle(path);
  });
  return 0;
}
