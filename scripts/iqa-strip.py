#!/usr/bin/python3
"""A strip of images sorted by a quality model's score (for model cards).

    scripts/iqa-strip.py RANKVISION_BIN MODEL OUT.png IMAGE... [--distort N]

With --distort N, the first N images also appear as three degraded copies each
(JPEG quality 8, Gaussian blur sigma 3, Gaussian noise sigma 25), so the strip
shows where the model puts a camera's typical faults. Scores come from
`rankvision eval-iqa --csv` (30 random 224-px crops per image, averaged), the
same scores iqascore would print; the images' order and the score under each
thumbnail are the model's.
"""
import csv
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np


def degrade(img, kind):
    if kind == "jpeg8":
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 8])
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if kind == "blur3":
        return cv2.GaussianBlur(img, (0, 0), 3)
    rng = np.random.default_rng(0)
    return np.clip(img.astype(np.float32) + rng.normal(0, 25, img.shape), 0, 255).astype(np.uint8)


def main():
    args = sys.argv[1:]
    n_distort = 0
    if "--distort" in args:
        i = args.index("--distort")
        n_distort = int(args[i + 1])
        del args[i:i + 2]
    if len(args) < 4:
        sys.exit(__doc__)
    binary, model, out, images = args[0], args[1], args[2], args[3:]
    with tempfile.TemporaryDirectory() as d:
        names = []
        for k, path in enumerate(images):
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                sys.exit(f"iqa-strip: {path}: not a readable image")
            base = f"{k:02d}_{os.path.splitext(os.path.basename(path))[0]}"
            cv2.imwrite(os.path.join(d, base + ".png"), img)
            label = os.path.basename(path)
            parent = os.path.dirname(os.path.abspath(path))
            if os.path.basename(parent) == "img1":  # MOTChallenge layout: name the sequence
                label = os.path.basename(os.path.dirname(parent)).split("-FRCNN")[0] + "/" + label
            names.append((base + ".png", label))
            if k < n_distort:
                for kind in ("jpeg8", "blur3", "noise25"):
                    cv2.imwrite(os.path.join(d, f"{base}_{kind}.png"), degrade(img, kind))
                    names.append((f"{base}_{kind}.png", f"{label} {kind}"))
        scores = os.path.join(d, "list.csv")
        with open(scores, "w") as f:  # eval-iqa needs a MOS column; these are placeholders, not opinions
            f.write("image,mos\n")
            for i, (n, _) in enumerate(names):
                f.write(f"{n},{i}\n")
        per_image = os.path.join(d, "scores.csv")
        subprocess.run([binary, "eval-iqa", "--model", model, "--images", d, "--scores", scores, "--csv", per_image,
                        "--crops", "30"], check=True, stdout=subprocess.DEVNULL)
        got = {r["image"]: float(r["score"]) for r in csv.DictReader(open(per_image))}
        tiles = []
        for n, label in sorted(names, key=lambda t: -got[t[0]]):
            img = cv2.imread(os.path.join(d, n))
            h = 150
            img = cv2.resize(img, (int(img.shape[1] * h / img.shape[0]), h), interpolation=cv2.INTER_AREA)
            img = cv2.copyMakeBorder(img, 0, 40, 0, 0, cv2.BORDER_CONSTANT, value=(255, 255, 255))
            cv2.putText(img, f"{got[n]:.1f}", (4, h + 18), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
            cv2.putText(img, label[:34], (4, h + 35), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (60, 60, 60), 1, cv2.LINE_AA)
            tiles.append(cv2.copyMakeBorder(img, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=(255, 255, 255)))
        per_row = 6
        rows = []
        for i in range(0, len(tiles), per_row):
            rows.append(np.hstack(tiles[i:i + per_row]))
        # Tiles differ in width (aspect ratios): pad every row to the widest.
        width = max(r.shape[1] for r in rows)
        rows = [cv2.copyMakeBorder(r, 0, 0, 0, width - r.shape[1], cv2.BORDER_CONSTANT, value=(255, 255, 255))
                for r in rows]
        cv2.imwrite(out, np.vstack(rows))
        for n, label in sorted(names, key=lambda t: -got[t[0]]):
            print(f"{got[n]:7.2f}  {label}")


if __name__ == "__main__":
    main()
