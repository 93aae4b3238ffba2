#!/usr/bin/env python3
"""Describe a LibTorch install for meson: key=value lines on stdout.

Argument: a LibTorch folder (include/, lib/, share/cmake/Torch), or '' for
Debian's libtorch-dev in the system paths. Reads files only; never imports torch.
"""
import glob
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else ''
if root:
    inc = os.path.join(root, 'include')
    lib = os.path.join(root, 'lib')
    api = os.path.join(inc, 'torch', 'csrc', 'api', 'include')
    if not os.path.isfile(os.path.join(api, 'torch', 'torch.h')):
        sys.exit(f'torch_dir={root!r}: no include/torch/csrc/api/include/torch/torch.h there; '
                 'give the folder that holds include/ and lib/ of a LibTorch')
    include_dirs = [inc, api]
    cmake_dir = os.path.join(root, 'share', 'cmake', 'Torch')
else:
    lib = ''
    include_dirs = ['/usr/include/torch/csrc/api/include']
    if not os.path.isfile('/usr/include/torch/csrc/api/include/torch/torch.h'):
        sys.exit('LibTorch headers not found in /usr/include: install libtorch-dev '
                 '(scripts/install-deps) or pass -Dtorch_dir=DIR')
    cmake_dir = '/usr/lib/x86_64-linux-gnu/cmake/Torch'

abi = '1'
cfg = os.path.join(cmake_dir, 'TorchConfig.cmake')
if os.path.isfile(cfg):
    m = re.search(r'_GLIBCXX_USE_CXX11_ABI=(\d)', open(cfg).read())
    if m:
        abi = m.group(1)

version = ''
for vfile in [os.path.join(cmake_dir, 'TorchConfigVersion.cmake')]:
    if os.path.isfile(vfile):
        m = re.search(r'PACKAGE_VERSION "([^"]+)"', open(vfile).read())
        if m:
            version = m.group(1)

has_cuda = '0'
if lib and glob.glob(os.path.join(lib, 'libtorch_cuda.so*')):
    has_cuda = '1'

print(f'include_dirs={":".join(include_dirs)}')
print(f'lib_dir={lib}')
print(f'cxx11_abi={abi}')
print(f'has_cuda={has_cuda}')
print(f'version={version}')
