#!/usr/bin/env bash
# CUDA check of the inference engines on a GPU machine that has PyTorch (the
# CUDA LibTorch inside it) but not this project's build dependencies (meson,
# OpenCV, matio, GStreamer). Compiles the part of core/ the engines need plus
# bench/engine_devices.cpp straight with g++, then runs the bench at full width
# (the paper's VGG16) and at the default model's width. Output: JSON lines.
#   scripts/device/cuda-check.sh [OUTDIR]
# Needs: g++, python3 with torch (CUDA build), nlohmann/json headers (system, or
# a copy under .device-include/, which the caller carries along).
set -euo pipefail
out=${1:-/tmp/rv-cuda-check}
mkdir -p "$out"
torch=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.get_device_name(0))'
gen="$out/gen"; mkdir -p "$gen"
cat > "$gen/rankvision_config.h" <<'H'
#pragma once
#define RANKVISION_MODELDIR "/nonexistent"
#define RANKVISION_SOURCE_MODELDIR "/nonexistent"
#define RANKVISION_VERSION "cuda-check"
H
inc=(-Icore -I"$gen" -I"$torch/include" -I"$torch/include/torch/csrc/api/include")
[ -d .device-include ] && inc+=(-I.device-include)
abi=$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
srcs=(core/common/error.cpp core/bundle/bundle.cpp core/model/nets.cpp core/model/vgg.cpp core/engine/engines.cpp
      bench/engine_devices.cpp)
objs=()
for s in "${srcs[@]}"; do
  o="$out/$(basename "${s%.cpp}").o"; objs+=("$o")
  g++ -std=c++17 -O2 -D_GLIBCXX_USE_CXX11_ABI="$abi" "${inc[@]}" -c "$s" -o "$o" &
done
wait
g++ -o "$out/engine_devices" "${objs[@]}" -L"$torch/lib" -Wl,-rpath,"$torch/lib" \
  -Wl,--no-as-needed -ltorch -ltorch_cuda -ltorch_cpu -lc10_cuda -lc10 -Wl,--as-needed
"$out/engine_devices" --width 1 --frames 30 | tee "$out/width1.jsonl"
"$out/engine_devices" --width 0.25 --input-scale 0.375 --frames 30 | tee "$out/width025.jsonl"
