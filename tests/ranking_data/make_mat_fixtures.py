"""Writes ShanghaiTech-style .mat fixtures (and broken ones) with scipy.io.savemat.

Layout as in ShanghaiTech's GT_IMG_n.mat: image_info is a 1x1 cell holding a
1x1 struct with fields location (N x 2 double, x y, 1-based) and number.
Usage: make_mat_fixtures.py OUTDIR
"""
import os
import sys

import numpy as np
import scipy.io as sio


def image_info(fields):
    names = list(fields)
    st = np.zeros((1, 1), dtype=[(n, 'O') for n in names])
    for n in names:
        st[0, 0][n] = fields[n]
    cell = np.empty((1, 1), dtype=object)
    cell[0, 0] = st
    return cell


def main(out):
    os.makedirs(out, exist_ok=True)
    loc = np.array([[10.0, 20.0], [1.0, 1.0], [100.5, 50.25]])
    num = np.array([[3]], dtype=np.uint16)
    save = lambda name, d, **kw: sio.savemat(os.path.join(out, name), d, **kw)
    save('valid.mat', {'image_info': image_info({'location': loc, 'number': num})})
    save('valid_compressed.mat', {'image_info': image_info({'location': loc, 'number': num})}, do_compression=True)
    save('no_number.mat', {'image_info': image_info({'location': loc})})
    save('empty.mat', {'image_info': image_info({'location': np.zeros((0, 2)), 'number': np.array([[0]], dtype=np.uint8)})})
    save('wrong_field.mat', {'image_info': image_info({'loc': loc, 'number': num})})
    save('wrong_shape.mat', {'image_info': image_info({'location': np.ones((4, 3)), 'number': np.array([[4]])})})
    save('number_mismatch.mat', {'image_info': image_info({'location': loc, 'number': np.array([[7]])})})
    save('no_image_info.mat', {'annotation': loc})
    save('string_location.mat', {'image_info': image_info({'location': 'abc', 'number': num})})
    save('not_a_cell.mat', {'image_info': np.ones((2, 2))})
    with open(os.path.join(out, 'valid.mat'), 'rb') as f:
        data = f.read()
    with open(os.path.join(out, 'truncated.mat'), 'wb') as f:
        f.write(data[: len(data) * 2 // 3])
    with open(os.path.join(out, 'header_only.mat'), 'wb') as f:
        f.write(data[:128])
    rng = np.random.RandomState(0)
    with open(os.path.join(out, 'garbage.mat'), 'wb') as f:
        f.write(rng.bytes(700))
    with open(os.path.join(out, 'stamp'), 'w') as f:
        f.write('ok\n')


if __name__ == '__main__':
    main(sys.argv[1])
