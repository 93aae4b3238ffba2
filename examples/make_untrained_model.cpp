// Writes a freshly initialised, untrained model bundle, so pipelines can be
// tried before a trained model exists. Its numbers mean nothing.
//
//   rankvision-make-untrained-model count|quality OUT.rvm [width=0.25]
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <torch/torch.h>

#include "bundle/bundle.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s count|quality OUT.rvm [width]\n", argv[0]);
    return 2;
  }
  try {
    torch::manual_seed(0);
    rv::NetSpec spec;
    spec.task = rv::task_from_string(argv[1]);
    spec.arch = "vgg16";
    spec.width = argc > 3 ? std::atof(argv[3]) : 0.25;
    rv::ModelBundle bundle = rv::make_bundle(spec);
    bundle.meta.provenance = {{"note", "untrained: freshly initialised by rankvision-make-untrained-model"}};
    rv::save_bundle(argv[2], bundle);
    std::printf("%s\n", argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
