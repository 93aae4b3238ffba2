// Precompiled header for the core library: LibTorch headers dominate build time.
// Meson compiles it as a main file and force-includes it into each source, so it
// has no include guard (#pragma once here warns "in main file"); the headers it
// pulls in guard themselves.
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <memory>
