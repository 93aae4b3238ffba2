#!/usr/bin/python3
"""Writes the head points of MOTChallenge ground truth as a points CSV (image,x,y) that
`rankvision train-count --extra-points FILE --extra-images SEQ/img1` reads.

Which boxes are people: the 9-column MOT16/17 classes 1 (pedestrian), 2 (person on a vehicle)
and 7 (static person), whatever their "consider" flag: a counting target must hold everyone in
view, also those who sit or stand still (eval-count --mot-gt keeps class 1 with flag 1 only,
which is MOT's tracking convention). Head point as in core/data/mot.h: (left + w/2, top + 0.1 h),
0-based pixels. Points outside the image are dropped.
--min-visibility V: keep only boxes whose visibility (column 9, the visible fraction of the body) is at
least V (default 0: everyone, also people hidden behind others).
--resize F --image-out DIR: also write the frames resized by F into DIR (the points scaled to match), to
train on the same people at another distance from the camera.
Usage: scripts/mot-to-points.py SEQ_DIR OUT.csv [--frames 1,2,...] [--min-visibility V]
                                 [--resize F --image-out DIR]
(default frames: every frame with an image)
"""
import argparse
import os
import sys

PERSON_CLASSES = {1, 2, 7}


def read_size(seq):
    ini = os.path.join(seq, "seqinfo.ini")
    size = {}
    with open(ini) as f:
        for line in f:
            key, _, value = line.partition("=")
            if key.strip() in ("imWidth", "imHeight"):
                size[key.strip()] = int(value)
    if len(size) != 2:
        sys.exit(f"{ini}: no imWidth/imHeight")
    return size["imWidth"], size["imHeight"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("seq", help="MOT sequence folder (gt/gt.txt, img1/, seqinfo.ini)")
    ap.add_argument("out", help="points CSV to write")
    ap.add_argument("--frames", help="comma-separated MOT frames (1-based)")
    ap.add_argument("--min-visibility", type=float, default=0.0, help="least visible fraction of a box (0-1)")
    ap.add_argument("--resize", type=float, default=1.0, help="scale of the written frames (with --image-out)")
    ap.add_argument("--image-out", help="folder for the resized frames")
    args = ap.parse_args()
    if (args.resize != 1.0) != bool(args.image_out) or not 0 < args.resize <= 1:
        sys.exit("--resize F (0 < F < 1) and --image-out DIR go together")
    if not 0 <= args.min_visibility <= 1:
        sys.exit("--min-visibility: needs a fraction between 0 and 1")
    gt, img1 = os.path.join(args.seq, "gt", "gt.txt"), os.path.join(args.seq, "img1")
    for path in (gt, img1):
        if not os.path.exists(path):
            sys.exit(f"{path}: not found")
    width, height = read_size(args.seq)
    frames = {int(n) for n in args.frames.split(",")} if args.frames else {
        int(os.path.splitext(n)[0]) for n in os.listdir(img1) if n.endswith(".jpg")}
    rows = []
    with open(gt) as f:
        for lineno, line in enumerate(f, 1):
            cols = line.strip().split(",")
            if len(cols) != 9:
                sys.exit(f"{gt}:{lineno}: expected 9 columns (MOT16/17), got {len(cols)}")
            try:
                frame, cls = int(cols[0]), int(cols[7])
                left, top, w, h, visibility = (float(c) for c in cols[2:6] + cols[8:9])
            except ValueError:
                sys.exit(f"{gt}:{lineno}: not a number in {line.strip()!r}")
            if frame not in frames or cls not in PERSON_CLASSES or visibility < args.min_visibility:
                continue
            x, y = left - 1 + w / 2, top - 1 + 0.1 * h
            if 0 <= x < width and 0 <= y < height:
                # pixel centres map to pixel centres, as cv2.resize's INTER_AREA does
                rows.append((f"{frame:06d}.jpg", (x + 0.5) * args.resize - 0.5, (y + 0.5) * args.resize - 0.5))
    if not rows:
        sys.exit(f"{gt}: no person in frames {sorted(frames)}")
    if args.image_out:
        import cv2
        os.makedirs(args.image_out, exist_ok=True)
        size = (round(width * args.resize), round(height * args.resize))
        for frame in sorted(frames):
            name = f"{frame:06d}.jpg"
            image = cv2.imread(os.path.join(img1, name))
            if image is None:
                sys.exit(f"{os.path.join(img1, name)}: cannot read")
            cv2.imwrite(os.path.join(args.image_out, name), cv2.resize(image, size, interpolation=cv2.INTER_AREA),
                        [cv2.IMWRITE_JPEG_QUALITY, 95])
    with open(args.out, "w") as f:
        f.write(f"# head points of {gt} (classes {sorted(PERSON_CLASSES)}, visibility >= {args.min_visibility:g}), resized by {args.resize:g}, "
                "scripts/mot-to-points.py\nimage,x,y\n")
        for name, x, y in sorted(rows):
            f.write(f"{name},{x:.2f},{y:.2f}\n")
    print(f"{args.out}: {len(rows)} points in {len(frames)} frames")


if __name__ == "__main__":
    main()
