#!/usr/bin/python3
"""Writes boxes around what moves in a fixed camera's footage as a MOTChallenge gt.txt, so that
`rankvision eval-count --video V --mot-gt OUT --frames A:B` reports "in_boxes" on a camera with no
labels: the share of the density mass near moving things, a label-free check that a model puts its
density on walking people and not on the building.

How: the per-pixel temporal median of the frames A:B (every --median-step-th frame) is the empty
scene where people keep moving. In each frame, pixels whose largest colour difference from it is over
--threshold are foreground; a 3x3 opening and a 9x9 closing clean the mask, and each connected blob of
at least --min-area pixels becomes one box (class 1, flag 1, visibility 1). Blobs are not people:
groups merge into one box and shadows grow them, and people who stand still are missed, so this
measures where the density is, not how many. The mean share of the frame that the boxes cover once
eval-count grows them by a quarter on every side is printed: about what density spread evenly over
the frame would score (eval-count counts the map cells whose centres lie inside; this counts pixels).
Usage: scripts/motion-boxes.py VIDEO OUT_gt.txt [--frames A:B] [--threshold T] [--min-area PX]
A:B is eval-count's frame range: 0-based, A inclusive, B exclusive (default 0:400). VIDEO is a video
file or a folder of images (sorted by name, as eval-count --video reads it); frame N of VIDEO is MOT
frame N+1.
"""
import argparse
import os
import sys

import cv2
import numpy as np

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")


def read_frames(source, first, end):
    """Frames first to end - 1 (0-based) of a video file or an image folder."""
    frames = []
    if os.path.isdir(source):
        names = sorted(n for n in os.listdir(source) if n.lower().endswith(IMAGE_EXTENSIONS))
        for name in names[first:end]:
            image = cv2.imread(os.path.join(source, name))
            if image is None:
                sys.exit(f"{os.path.join(source, name)}: cannot read the image")
            frames.append(image)
    else:
        if not os.path.exists(source):
            sys.exit(f"{source}: not found")
        cap = cv2.VideoCapture(source)
        if not cap.isOpened():
            sys.exit(f"{source}: cannot open the video")
        index = 0
        while index < end:
            ok, image = cap.read()
            if not ok:
                break
            if index >= first:
                frames.append(image)
            index += 1
    if len(frames) < 2:
        sys.exit(f"{source}: frames {first}:{end} hold {len(frames)} frame(s); the median needs at least 2")
    if any(f.shape != frames[0].shape for f in frames):
        sys.exit(f"{source}: the frames differ in size; a fixed camera's footage is needed")
    return frames


def blobs(frame, background, threshold, min_area):
    """(left, top, width, height) of each moving blob of at least min_area pixels."""
    diff = cv2.absdiff(frame, background).max(axis=2)
    mask = (diff > threshold).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= min_area]


def grown_coverage(boxes, height, width):
    """Share of the frame inside the boxes grown by a quarter of their size on every side (as eval-count)."""
    covered = np.zeros((height, width), bool)
    for left, top, w, h in boxes:
        x0, y0 = max(0, int(left - w / 4)), max(0, int(top - h / 4))
        x1, y1 = min(width, int(np.ceil(left + w * 1.25))), min(height, int(np.ceil(top + h * 1.25)))
        covered[y0:y1, x0:x1] = True
    return covered.mean()


def parse_range(text):
    try:
        first, end = (int(v) for v in text.split(":"))
    except ValueError:
        sys.exit(f"--frames {text}: needs A:B, two frame numbers")
    if not 0 <= first < end:
        sys.exit(f"--frames {text}: needs 0 <= A < B")
    return first, end


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("video", help="video file or image folder of a fixed camera")
    ap.add_argument("out", help="gt.txt to write")
    ap.add_argument("--frames", default="0:400", help="frame range A:B, 0-based, B exclusive (default 0:400)")
    ap.add_argument("--threshold", type=int, default=30, help="colour difference from the median (0-255)")
    ap.add_argument("--min-area", type=int, default=150, help="smallest blob, in pixels")
    ap.add_argument("--median-step", type=int, default=4, help="every N-th frame goes into the median")
    args = ap.parse_args()
    if not 0 < args.threshold < 255 or args.min_area < 1 or args.median_step < 1:
        sys.exit("--threshold needs 1-254, --min-area and --median-step at least 1")
    first, end = parse_range(args.frames)
    frames = read_frames(args.video, first, end)
    background = np.median(np.stack(frames[::args.median_step]), axis=0).astype(np.uint8)
    height, width = background.shape[:2]
    lines, coverage = [], []
    for offset, frame in enumerate(frames):
        boxes = blobs(frame, background, args.threshold, args.min_area)
        coverage.append(grown_coverage(boxes, height, width))
        mot_frame = first + offset + 1
        # MOT boxes are 1-based: left 1 is the first column
        lines += [f"{mot_frame},{k + 1},{l + 1},{t + 1},{w},{h},1,1,1\n" for k, (l, t, w, h) in enumerate(boxes)]
    with open(args.out, "w") as f:
        f.writelines(lines)
    print(f"{args.out}: {len(lines)} boxes in {len(frames)} frames ({first}:{first + len(frames)}); "
          f"grown boxes cover {np.mean(coverage):.3f} of the frame on average (what even density scores)")


if __name__ == "__main__":
    main()
