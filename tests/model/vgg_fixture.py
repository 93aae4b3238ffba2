#!/usr/bin/env python3
"""Writes a state dict in torchvision's vgg16-397923af.pth layout (random
weights, conv layers only) and the sum of every tensor, for the import test."""
import sys
import torch

out_pth, out_sums = sys.argv[1], sys.argv[2]
cfg = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']
g = torch.Generator().manual_seed(7)
state = {}
idx, cin = 0, 3
for v in cfg:
    if v == 'M':
        idx += 1
        continue
    state[f'features.{idx}.weight'] = torch.randn(v, cin, 3, 3, generator=g) * 0.01
    state[f'features.{idx}.bias'] = torch.randn(v, generator=g)
    idx += 2  # conv + relu
    cin = v
state['classifier.0.weight'] = torch.zeros(4, 4)  # present in the real file, ignored by the import
torch.save(state, out_pth)
with open(out_sums, 'w') as f:
    for k, t in state.items():
        if k.startswith('features'):
            f.write(f'{k} {t.double().sum().item():.10g}\n')
