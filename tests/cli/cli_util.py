"""Helpers shared by the CLI end-to-end tests (cli_count_test.py, cli_iqa_test.py):
running the rankvision binary, reading its JSON summary and error line, tiny
point-annotated images, and the one-case-per-process entry point."""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

BIN = None  # the rankvision binary, set by main()


# The sanitizer build (scripts/test --sanitize) runs several times slower: its test setup scales this.
TIMEOUT_SCALE = float(os.environ.get("RANKVISION_TEST_TIMEOUT_SCALE", "1"))


def run(*args, check=True, env=None, timeout=120):
    p = subprocess.run([BIN, *args], capture_output=True, text=True, env=env, timeout=timeout * TIMEOUT_SCALE)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def last_json(p):
    return json.loads(p.stdout.strip().splitlines()[-1])


def expect_error(p, *words):
    """A failed run whose stderr is one line that names every word."""
    assert p.returncode != 0, f"expected failure:\n{p.stdout}\n{p.stderr}"
    lines = [l for l in p.stderr.strip().splitlines() if l.strip()]
    assert len(lines) == 1, f"want one error line, got:\n{p.stderr}"
    for w in words:
        assert w in lines[0], f"error line lacks '{w}': {lines[0]}"


def bundle_parameters(path):
    """The network parameters of a format-2 model bundle (core/bundle/bundle.cpp: "RVBUNDLE", u32
    version, u64 + JSON metadata, u64 + weight archive, u32 checksum), read with python3-torch:
    {name: tensor}."""
    import io
    import struct
    import torch
    with open(path, "rb") as f:
        b = f.read()
    assert b[:8] == b"RVBUNDLE", path
    version, n = struct.unpack_from("<IQ", b, 8)
    assert version == 2, (path, version)
    start = 8 + 12 + n
    (w,) = struct.unpack_from("<Q", b, start)
    module = torch.jit.load(io.BytesIO(b[start + 8:start + 8 + w]))
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def make_point_images(d, n, size, seed, blobs):
    """n noisy size x size images in d/images with blobs(i) bright dots each at
    random points; writes d/points.json and d/points.csv and returns the entries."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(d, "images"), exist_ok=True)
    entries = []
    for i in range(n):
        img = (rng.random((size, size, 3)) * 60).astype(np.uint8)
        pts = []
        for _ in range(blobs(i)):
            x, y = rng.uniform(5, size - 6, 2)
            cv2.circle(img, (int(x), int(y)), 3, (230, 230, 230), -1)
            pts.append([float(x), float(y)])
        name = f"img_{i}.png"
        cv2.imwrite(os.path.join(d, "images", name), img)
        entries.append({"image": name, "points": pts})
    with open(os.path.join(d, "points.json"), "w") as f:
        json.dump({"images": entries}, f)
    with open(os.path.join(d, "points.csv"), "w") as f:
        f.write("image,x,y\n")
        for e in entries:
            for x, y in e["points"]:
                f.write(f"{e['image']},{x},{y}\n")
    return entries


def main(namespace):
    """usage: SCRIPT RANKVISION_BINARY CASE — runs case_CASE(tempdir) from namespace."""
    global BIN
    BIN, case = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="rv-cli-") as d:
        namespace["case_" + case](d)
    print(f"{case}: ok")
