#!/usr/bin/env bash
# The paper's counting network at full width (VGG16 conv1_1..conv5_3 without
# pool5 + a 3x3 conv to one density channel, no batch norm), initialised from
# torchvision's ImageNet VGG16 weights, multi-task trained as in Section 5.3:
# SGD momentum 0.9, batch 25 labelled + 25 ranked (5 nested sets of k=5),
# lambda = 100, lr 1e-6 x0.1 every 5000 iterations, 10000 iterations, weight
# decay 5e-4. For users with a CUDA GPU and the weights file; not run on this
# project's CPU machine (no ImageNet weights, no GPU there).
#
#   models/recipes/crowdcount-vgg16-full.sh VGG16.pth [RANKVISION_BIN] [OUT]
#
# VGG16.pth: torchvision's vgg16 state dict (vgg16-397923af.pth); the CLI maps
# features.N.* onto the trunk (`rankvision train-count --init FILE.pth`).
# Env: RANKVISION_DATA (default ../shared/data), DEVICE (default cuda).
# Speed on one H200 (bench/engine_devices, untrained weights, 768x576):
# 275 frames/s fp32, 334 frames/s fp16 (bench/results/engine_devices-h200-width1.jsonl).
set -euo pipefail
weights=${1:?usage: crowdcount-vgg16-full.sh VGG16.pth [RANKVISION_BIN] [OUT]}
bin=${2:-build/training/rankvision}
out=${3:-models/crowdcount-vgg16-full.rvm}
data=${RANKVISION_DATA:-../shared/data}
"$bin" train-count --init "$weights" --width 1 \
  --shanghaitech "$data/shanghaitech/part_B/train_data" \
  --unlabeled-images "$data/shanghaitech/part_A/train_data/images" \
  --input-scale 1 --input-size 224 --batch 25 --rank-sets 5 --rank-k 5 --lambda 100 --pairs efficient \
  --optimiser sgd --momentum 0.9 --lr 1e-6 --lr-step 5000 --weight-decay 5e-4 --iterations 10000 \
  --val 80 --val-every 1000 --seed 1 --device "${DEVICE:-cuda}" \
  --checkpoint-every 500 --log "${out%.rvm}.log.jsonl" --out "$out"
