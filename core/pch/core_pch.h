// Precompiled header for the core library: LibTorch headers dominate build time.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <memory>
