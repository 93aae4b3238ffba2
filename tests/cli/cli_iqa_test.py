#!/usr/bin/env python3
"""End-to-end tests of the quality, selection and visualisation subcommands of
the rankvision CLI (train-iqa, eval-iqa, select, active-sim, distort, crops,
density) on tiny data made here.

usage: cli_iqa_test.py RANKVISION_BINARY CASE
IQA data: 80x80 textured images whose MOS falls with the amount of added
noise (so a tiny network can learn it in a few seconds). Counting data: 96x96
images with bright blobs at annotated points; a short MJPG video."""
import json
import os
import signal
import subprocess
import time

import cv2
import numpy as np

import cli_util  # noqa: E402
from cli_util import expect_error, last_json, make_point_images  # noqa: E402

TINY_IQA = ["--width", "0.125", "--crop", "64", "--threads", "1"]


# One LibTorch thread: on a loaded 2-core machine OpenMP barriers make two
# threads slower than one for these tiny networks.
ENV = dict(os.environ, OMP_NUM_THREADS="1")


def run(*args, **kwargs):
    kwargs.setdefault("env", ENV)
    return cli_util.run(*args, **kwargs)


def texture(rng, size):
    # Smooth random colour field with some edges: "natural-ish" content.
    base = rng.random((size // 8, size // 8, 3)).astype(np.float32)
    img = cv2.resize(base, (size, size), interpolation=cv2.INTER_CUBIC)
    for _ in range(3):
        x0, y0 = rng.integers(0, size, 2)
        cv2.rectangle(img, (int(x0), int(y0)), (int(x0) + 20, int(y0) + 14), tuple(float(v) for v in rng.random(3)), -1)
    return np.clip(img * 255, 0, 255).astype(np.uint8)


def make_iqa(d, n=24, size=80, seed=0):
    """Images with noise sigma 0..40; MOS = 85 - 1.8 * sigma (higher is better)."""
    rng = np.random.default_rng(seed)
    img_dir = os.path.join(d, "iqa")
    os.makedirs(img_dir, exist_ok=True)
    rows = []
    for i in range(n):
        sigma = 40.0 * i / (n - 1)
        img = texture(rng, size).astype(np.float32) + rng.normal(0, sigma, (size, size, 3))
        name = f"q_{i:02d}.png"
        cv2.imwrite(os.path.join(img_dir, name), np.clip(img, 0, 255).astype(np.uint8))
        rows.append((name, 85.0 - 1.8 * sigma))
    with open(os.path.join(d, "scores.csv"), "w") as f:
        f.write("image,mos,mos_std\n")
        for name, mos in rows:
            f.write(f"{name},{mos:.3f},5\n")
    unl = os.path.join(d, "unlabelled")
    os.makedirs(unl, exist_ok=True)
    for i in range(4):
        cv2.imwrite(os.path.join(unl, f"u_{i}.png"), texture(rng, size))
    return img_dir, os.path.join(d, "scores.csv"), unl, rows


def make_count_images(d, n=6, size=96, seed=1):
    return make_point_images(d, n, size, seed, lambda i: 1 + i)


def make_video(path, n=10, size=(128, 96)):
    w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    assert w.isOpened()
    rng = np.random.default_rng(3)
    for i in range(n):
        img = (rng.random((size[1], size[0], 3)) * 50).astype(np.uint8)
        for _ in range(i):
            cv2.circle(img, tuple(int(v) for v in rng.integers(5, 90, 2)), 3, (240, 240, 240), -1)
        w.write(img)
    w.release()


def count_model(d):
    """A tiny counting bundle from train-count (2 iterations: only its shape matters here)."""
    out = os.path.join(d, "count.rvb")
    run("train-count", "--points", os.path.join(d, "points.json"), "--images", os.path.join(d, "images"),
        "--out", out, "--iterations", "2", "--width", "0.125", "--input-size", "64", "--patch-min", "32",
        "--patch-max", "96", "--batch", "2", "--no-rank", "--quiet", "--threads", "1")
    return out


def read_list(path):
    rows = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            item, c = line.strip().rsplit(",", 1)
            rows.append((item, float(c)))
    return rows


# ---------------------------------------------------------------------------

# Tiny trainings are chaotic: LibTorch picks its CPU kernels by instruction set
# (ATEN_CPU_CAPABILITY: default / avx2 / avx512), and kernels that round
# differently send a 60-iteration run of one seed anywhere (seed 1 gave SROCC
# 0.97 with avx512 kernels and -0.13 with avx2 ones, as on an AMD EPYC). So what
# is asserted is what training must do on any CPU: over three seeds, with enough
# iterations, the loss falls for every seed and the ordering is learned by the
# majority. Measured at 150 iterations, seeds 1/2/3, SROCC: avx2 0.86/1.00/1.00,
# avx512 1.00/1.00/0.91, default 0.58/0.99/0.99 (one seed can still miss, so
# the median is what is asserted).
LEARN_SEEDS = ("1", "2", "3")


def case_train_eval(d):
    img_dir, scores, unl, rows = make_iqa(d)
    results = []
    for seed in LEARN_SEEDS:
        out = os.path.join(d, f"q{seed}.rvb")
        log = os.path.join(d, f"q{seed}.jsonl")
        p = run("train-iqa", "--images", unl, "--distortions", "live", "--scores", scores, "--score-images", img_dir,
                "--val", "6", "--mode", "multitask", "--rank-iterations", "6", "--iterations", "150", "--batch", "8",
                "--rank-sources", "2", "--rank-types", "1", "--lr", "2e-3", "--log", log, "--out", out,
                "--seed", seed, *TINY_IQA)
        s = last_json(p)
        assert os.path.exists(out) and s["out"] == out
        assert s["mode"] == "multitask" and s["val_n"] == 6
        assert -1.0 <= s["val_srocc"] <= 1.0
        records = [json.loads(l) for l in open(log)]
        stages = [r["stage"] for r in records]
        assert "rank" in stages and "multitask" in stages and "calibrate" in stages and "val" in stages, stages
        assert not os.path.exists(out + ".ckpt")
        # The loss falls: the smoothed regression loss ends below 0.8 of where it started.
        losses = [r["reg_loss_avg"] for r in records if r["stage"] == "multitask"]
        assert len(losses) >= 3, records
        assert losses[-1] < 0.8 * losses[0], (seed, losses)
        e = last_json(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--crops", "4",
                          "--crop", "64"))
        assert e["n"] == len(rows), e
        results.append((seed, out, e))
    srocc = sorted(e["srocc"] for _, _, e in results)
    print("eval-iqa SROCC on the scored images, seeds", LEARN_SEEDS, ":", [e["srocc"] for _, _, e in results])
    # The model learned the noise -> MOS relation: the median seed, on all scored images.
    assert srocc[len(srocc) // 2] > 0.7, results
    assert sum(e["plcc"] for _, _, e in results) / len(results) > 0.5, results
    seed, out, e = max(results, key=lambda r: r[2]["srocc"])
    csv = os.path.join(d, "per_image.csv")
    e = last_json(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--crops", "4",
                      "--crop", "64", "--csv", csv))
    lines = open(csv).read().strip().splitlines()
    assert lines[0] == "image,mos,score,raw" and len(lines) == len(rows) + 1
    scores_out = [float(l.split(",")[2]) for l in lines[1:]]
    assert all(0.0 <= v <= 100.0 for v in scores_out)
    # Calibrated to the MOS scale: the mean score is near the mean MOS.
    mean_mos = sum(m for _, m in rows) / len(rows)
    assert abs(sum(scores_out) / len(scores_out) - mean_mos) < 12, (sum(scores_out) / len(scores_out), mean_mos)
    # Same seed, same numbers.
    e2 = last_json(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--crops", "4",
                       "--crop", "64"))
    assert e2["srocc"] == e["srocc"] and e2["plcc"] == e["plcc"]
    # The bundle records the 64-px training crop, and eval-iqa uses it when --crop is not given.
    assert json.loads(run("info", out).stdout)["meta"]["score"]["crop"] == 64
    e3 = last_json(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--crops", "4"))
    assert e3["crop"] == 64 and e3["srocc"] == e["srocc"] and e3["plcc"] == e["plcc"], (e3, e)
    # eval-iqa --holdout N --split-seed S evaluates exactly the images train-iqa --val N --seed S held out.
    held_csv = os.path.join(d, "held.csv")
    e = last_json(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--crops", "2",
                      "--crop", "64", "--holdout", "6", "--split-seed", seed, "--csv", held_csv))
    assert e["n"] == 6, e
    held = sorted(l.split(",")[0] for l in open(held_csv).read().strip().splitlines()[1:])
    info = json.loads(run("info", out).stdout)
    assert held == sorted(info["meta"]["provenance"]["val_image_names"]), (held, info["meta"]["provenance"])
    expect_error(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--holdout",
                     str(len(rows)), check=False), "--holdout")


def case_rank_accuracy(d):
    img_dir, scores, unl, rows = make_iqa(d)
    out0 = os.path.join(d, "r0.rvb")
    out1 = os.path.join(d, "r1.rvb")
    common = ["--images", unl, "--distortions", "live", "--rank-sources", "2", "--rank-types", "2",
              "--lr", "2e-3", *TINY_IQA]
    run("train-iqa", *common, "--rank-iterations", "1", "--out", out0)
    p = run("train-iqa", *common, "--rank-iterations", "40", "--out", out1)
    assert last_json(p)["mode"] == "rank"
    held_out = os.path.join(d, "held_out")
    os.makedirs(held_out)
    rng = np.random.default_rng(42)
    for i in range(3):
        cv2.imwrite(os.path.join(held_out, f"h_{i}.png"), texture(rng, 80))
    acc = []
    for m in (out0, out1):
        e = last_json(run("eval-iqa", "--model", m, "--images", held_out, "--ranking-accuracy",
                          "--distortions", "live", "--crop", "64"))
        # 3 images x 4 LIVE types x C(6,2) level pairs.
        assert e["ranking_pairs"] == 3 * 4 * 15, e
        assert e["n"] == 3 and set(e["ranking_per_type"]) == {"awgn", "blur", "jpeg", "jp2k"}, e
        acc.append(e["ranking_accuracy"])
    print("ranking accuracy before/after training:", acc)
    assert acc[1] > 0.75 and acc[1] > acc[0], acc


def case_resume(d):
    img_dir, scores, unl, rows = make_iqa(d, n=10)
    out = os.path.join(d, "q.rvb")
    args = ["train-iqa", "--images", unl, "--distortions", "live", "--scores", scores, "--score-images", img_dir,
            "--mode", "finetune", "--rank-iterations", "4", "--iterations", "4000", "--batch", "2",
            "--checkpoint-every", "5", "--out", out, *TINY_IQA]
    proc = subprocess.Popen([cli_util.BIN, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    ckpt = out + ".ckpt"
    deadline = time.time() + 60
    while not os.path.exists(ckpt) and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert os.path.exists(ckpt), "no checkpoint appeared"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert not os.path.exists(out), "interrupted run must not write the final model"
    args2 = [a if a != "4000" else "20" for a in args] + ["--resume", ckpt]
    s = last_json(run(*args2))
    assert s["iterations"] == 20 and os.path.exists(out)
    assert not os.path.exists(ckpt) and not os.path.exists(ckpt + ".optim")
    # Same seed, same model: two fresh short runs agree exactly; another seed differs.
    evals = []
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        o = os.path.join(d, name + ".rvb")
        run(*[a if a != "4000" else "6" for a in args if a != out and a != "--out"], "--out", o, "--seed", seed)
        evals.append(last_json(run("eval-iqa", "--model", o, "--images", img_dir, "--scores", scores,
                                   "--crops", "2", "--crop", "64")))
    assert evals[0]["mae"] == evals[1]["mae"], evals
    assert evals[0]["mae"] != evals[2]["mae"], evals


def case_select(d):
    make_count_images(d)
    model = count_model(d)
    lst = os.path.join(d, "pick.txt")
    p = run("select", "--model", model, "--images", os.path.join(d, "images"), "--budget", "3", "--pairs", "12",
            "--crop", "64", "--out", lst)
    j = last_json(p)
    rows = read_list(lst)
    assert j["n"] == 6 and len(rows) == 3 and len(j["selected"]) == 3, (j, rows)
    assert [r[0] for r in rows] == [s["item"] for s in j["selected"]]
    cs = [r[1] for r in rows]
    assert cs == sorted(cs) and all(0.0 <= c <= 1.0 for c in cs), cs
    assert all(os.path.isfile(r[0]) for r in rows)
    assert len(set(r[0] for r in rows)) == 3
    # Deterministic.
    lst2 = os.path.join(d, "pick2.txt")
    run("select", "--model", model, "--images", os.path.join(d, "images"), "--budget", "3", "--pairs", "12",
        "--crop", "64", "--out", lst2)
    assert read_list(lst2) == rows
    # Video frames 2..8 (exclusive).
    video = os.path.join(d, "v.avi")
    make_video(video)
    vl = os.path.join(d, "frames.txt")
    j = last_json(run("select", "--model", model, "--video", video, "--frames", "2:8", "--budget", "4",
                      "--pairs", "10", "--crop", "64", "--out", vl))
    rows = read_list(vl)
    assert j["n"] == 6 and len(rows) == 4, (j, rows)
    assert all(2 <= int(r[0]) < 8 for r in rows), rows
    # A budget larger than the pool selects the whole pool.
    j = last_json(run("select", "--model", model, "--video", video, "--frames", "0:3", "--budget", "10",
                      "--pairs", "5", "--crop", "64", "--out", vl))
    assert sorted(int(r[0]) for r in read_list(vl)) == [0, 1, 2]
    # A quality model ranks distortion ladders instead.
    img_dir, scores, unl, _ = make_iqa(d, n=6)
    q = os.path.join(d, "q.rvb")
    run("train-iqa", "--images", unl, "--distortions", "live", "--rank-iterations", "2", "--out", q, *TINY_IQA)
    j = last_json(run("select", "--model", q, "--images", img_dir, "--budget", "2", "--pairs", "20", "--crop", "64",
                      "--out", lst))
    assert j["ranked_by"] == "distortions" and len(read_list(lst)) == 2


def case_active_sim(d):
    make_count_images(d, n=12)
    prefix = os.path.join(d, "sim")
    p = run("active-sim", "--points", os.path.join(d, "points.json"), "--images", os.path.join(d, "images"),
            "--test", "2", "--cycles", "2", "--iterations", "3", "--batch", "2", "--patch", "64", "--patch-min",
            "32", "--patch-max", "96", "--crop", "64", "--pairs", "10", "--width", "0.125", "--threads", "1",
            "--out", prefix, timeout=170)
    j = last_json(p)
    assert j["pool"] == 10 and j["test"] == 2
    assert [c["labelled"] for c in j["cycles"]] == [1, 2], j
    lines = open(prefix + ".csv").read().strip().splitlines()
    assert lines[0].startswith("cycle,fraction,labelled,mae_certainty")
    assert len(lines) == 3
    for line, c in zip(lines[1:], j["cycles"]):
        v = line.split(",")
        assert abs(float(v[3]) - c["mae_certainty"]) < 1e-4 and abs(float(v[5]) - c["mae_random"]) < 1e-4
        assert float(v[3]) >= 0 and float(v[5]) >= 0
    img = cv2.imread(prefix + ".png")
    assert img is not None and img.shape == (520, 800, 3)
    # Both lines are drawn: the certainty colour (red) and the random colour (blue) appear.
    b, g, r = img[..., 0].astype(int), img[..., 1].astype(int), img[..., 2].astype(int)
    assert ((r > 180) & (g < 90) & (b < 90)).sum() > 50
    assert ((b > 160) & (r < 80)).sum() > 50
    # The pretrained PoseNet trunk (the default model's network): every cycle starts from it.
    posenet = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "pretrained", "posenet",
                           "posenet.json")
    p = run("active-sim", "--points", os.path.join(d, "points.json"), "--images", os.path.join(d, "images"),
            "--test", "2", "--cycles", "2", "--iterations", "2", "--batch", "2", "--patch", "64", "--patch-min",
            "32", "--patch-max", "96", "--crop", "64", "--pairs", "10", "--arch", "posenet_mnv1", "--init", posenet,
            "--freeze-trunk", "5", "--trunk-lr-mult", "0.1", "--warmup", "1", "--lr-schedule", "cosine",
            "--threads", "1", "--out", prefix + "_pn", timeout=170)
    j = last_json(p)
    assert [c["labelled"] for c in j["cycles"]] == [1, 2] and all(c["mae_certainty"] >= 0 for c in j["cycles"]), j
    assert "imported 27 MobileNetV1 layers" in p.stderr, p.stderr
    bad = run("active-sim", "--points", os.path.join(d, "points.json"), "--images", os.path.join(d, "images"),
              "--arch", "posenet_mnv1", "--init", os.path.join(d, "missing.json"), "--out", prefix, check=False)
    assert bad.returncode != 0 and "missing.json" in bad.stderr and "Traceback" not in bad.stderr, bad.stderr


def case_posenet(d):
    """train-iqa from PoseNet's pretrained MobileNetV1 trunk (--arch posenet_mnv1 --init model.json)."""
    img_dir, scores, unl, rows = make_iqa(d)
    posenet = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "pretrained", "posenet",
                           "posenet.json")
    out, log = os.path.join(d, "pn.rvb"), os.path.join(d, "pn.jsonl")
    p = run("train-iqa", "--images", unl, "--distortions", "live", "--scores", scores, "--score-images", img_dir,
            "--mode", "multitask", "--rank-iterations", "4", "--iterations", "60", "--batch", "8", "--rank-sources",
            "2", "--rank-types", "1", "--crop", "64", "--arch", "posenet_mnv1", "--init", posenet, "--freeze-trunk",
            "5", "--trunk-lr-mult", "0.1", "--warmup", "5", "--lr-schedule", "cosine", "--lr", "1e-3", "--log", log,
            "--threads", "1", "--out", out, timeout=170)
    assert "imported 27 MobileNetV1 layers" in p.stdout and "froze the first 5 trunk layers" in p.stdout, p.stdout
    meta = json.loads(run("info", out).stdout)["meta"]
    assert meta["architecture"] == "posenet_mnv1" and meta["width"] == 0.75, meta
    assert meta["normalisation"]["mean"] == [0.5, 0.5, 0.5], meta["normalisation"]
    records = [json.loads(l) for l in open(log)]
    # Warm-up then cosine: the lr rises over the first 5 iterations and ends near the floor.
    lrs = [r["lr"] for r in records if r["stage"] == "multitask"]
    assert lrs[0] < 1e-3 and max(lrs) > 0.5e-3 and lrs[-1] < 0.1e-3, lrs
    losses = [r["reg_loss_avg"] for r in records if r["stage"] == "multitask"]
    assert losses[-1] < losses[0], losses
    e = last_json(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--crops", "2",
                      "--crop", "64"))
    assert e["n"] == len(rows) and -1 <= e["srocc"] <= 1, e
    expect_error(run("train-iqa", "--scores", scores, "--score-images", img_dir, "--arch", "posenet_mnv1", "--init",
                     os.path.join(d, "missing.json"), "--out", os.path.join(d, "x.rvb"), check=False), "missing.json")
    expect_error(run("train-iqa", "--scores", scores, "--score-images", img_dir, "--init", posenet, "--iterations",
                     "1", "--out", os.path.join(d, "x.rvb"), check=False), "posenet_mnv1 or centernet_mnv3")
    assert not os.path.exists(os.path.join(d, "x.rvb"))


def case_centernet(d):
    """train-iqa from CenterNet's pretrained MobileNetV3 trunk (--arch centernet_mnv3 --init model.json):
    the bundle carries the trunk's topology, so eval-iqa and a resumed run need no graph file."""
    img_dir, scores, unl, rows = make_iqa(d)
    cn = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", "pretrained", "centernet",
                      "centernet.json")
    expect_error(run("train-iqa", "--scores", scores, "--score-images", img_dir, "--arch", "centernet_mnv3",
                     "--iterations", "1", "--out", os.path.join(d, "x.rvb"), check=False),
                 "--init models/pretrained/centernet")
    assert not os.path.exists(os.path.join(d, "x.rvb"))
    out, log = os.path.join(d, "cn.rvb"), os.path.join(d, "cn.jsonl")
    p = run("train-iqa", "--scores", scores, "--score-images", img_dir, "--mode", "finetune", "--rank-iterations",
            "0", "--iterations", "30", "--batch", "8", "--crop", "64", "--arch", "centernet_mnv3", "--init", cn,
            "--freeze-trunk", "5", "--trunk-lr-mult", "0.1", "--warmup", "3", "--lr-schedule", "cosine", "--lr",
            "1e-3", "--log", log, "--threads", "1", "--out", out, timeout=170)
    assert "graph tensors from" in p.stdout and "froze the first 5 trunk layers" in p.stdout, p.stdout
    meta = json.loads(run("info", out).stdout)["meta"]
    assert meta["architecture"] == "centernet_mnv3", meta
    assert abs(meta["normalisation"]["std"][0] - 1 / 255) < 1e-9, meta["normalisation"]
    losses = [r["reg_loss_avg"] for r in map(json.loads, open(log)) if "reg_loss_avg" in r]
    assert len(losses) >= 2 and losses[-1] < losses[0], losses
    # The bundle alone scores images (the graph file is not read again).
    e = last_json(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, "--crops", "2",
                      "--crop", "64"))
    assert e["n"] == len(rows) and -1 <= e["srocc"] <= 1, e


def case_visualise(d):
    rng = np.random.default_rng(0)
    img = texture(rng, 120)
    path = os.path.join(d, "pic.png")
    cv2.imwrite(path, img)
    out = os.path.join(d, "ladder")
    j = last_json(run("distort", "--image", path, "--set", "live", "--out", out))
    files = sorted(os.listdir(out))
    assert len(files) == 1 + 4 * 5 + 1 and j["files"] == len(files), files
    assert "pristine.png" in files and "blur_5.png" in files and "ladder.png" in files
    sheet = cv2.imread(os.path.join(out, "ladder.png"))
    assert sheet.shape == (4 * 160, 6 * 160, 3)
    assert (cv2.imread(os.path.join(out, "pristine.png")) == img).all()
    # Stronger blur levels lose detail.
    def detail(name):
        return cv2.Laplacian(cv2.imread(os.path.join(out, name), cv2.IMREAD_GRAYSCALE), cv2.CV_64F).var()
    assert detail("blur_5.png") < detail("blur_1.png") < detail("pristine.png")
    out2 = os.path.join(d, "one")
    run("distort", "--image", path, "--type", "jpeg", "--type", "8", "--out", out2, "--crop", "96")
    assert sorted(os.listdir(out2)) == sorted(["pristine.png", "ladder.png"] + [f"jpeg_{i}.png" for i in range(1, 5)]
                                             + [f"blur_{i}.png" for i in range(1, 5)])
    assert cv2.imread(os.path.join(out2, "pristine.png")).shape == (96, 96, 3)

    cdir = os.path.join(d, "crops")
    j = last_json(run("crops", "--image", path, "--k", "4", "--size", "48", "--out", cdir))
    assert sorted(os.listdir(cdir)) == ["crop_0.png", "crop_1.png", "crop_2.png", "crop_3.png", "overview.png"]
    assert cv2.imread(os.path.join(cdir, "crop_3.png")).shape == (48, 48, 3)
    boxes = j["crops"]
    for a, b in zip(boxes, boxes[1:]):  # nested, ranks falling
        assert a["x"] <= b["x"] and a["y"] <= b["y"] and a["x"] + a["w"] >= b["x"] + b["w"]
        assert a["rank"] > b["rank"]
    assert not (cv2.imread(os.path.join(cdir, "overview.png")) == img).all()

    make_count_images(d, n=2)
    ddir = os.path.join(d, "dens")
    entries = json.load(open(os.path.join(d, "points.json")))["images"]
    j = last_json(run("density", "--image", os.path.join(d, "images", "img_1.png"), "--points",
                      os.path.join(d, "points.json"), "--sigma", "4", "--out", ddir))
    assert j["points"] == len(entries[1]["points"]) and abs(j["count"] - len(entries[1]["points"])) < 1e-3, j
    assert sorted(os.listdir(ddir)) == ["density.png", "overlay.png"]
    assert cv2.imread(os.path.join(ddir, "density.png")).shape == (96, 96, 3)


def case_errors(d):
    img_dir, scores, unl, rows = make_iqa(d, n=6)
    out = os.path.join(d, "keep.rvb")
    with open(out, "w") as f:
        f.write("keep")
    base = ["train-iqa", "--out", out, *TINY_IQA]
    expect_error(run(*base, "--images", os.path.join(d, "nope"), check=False), "--images", "nope")
    bad = os.path.join(d, "bad.csv")
    with open(bad, "w") as f:
        f.write("image,mos\nq_00.png,abc\n")
    expect_error(run(*base, "--scores", bad, "--score-images", img_dir, check=False), "bad.csv")
    missing = os.path.join(d, "missing.csv")
    with open(missing, "w") as f:
        f.write("image,mos\nghost.png,50\n")
    expect_error(run(*base, "--scores", missing, "--score-images", img_dir, check=False), "ghost.png")
    expect_error(run(*base, "--images", unl, "--distortions", "tid2099", check=False), "tid2099")
    expect_error(run(*base, "--images", unl, "--scores", scores, "--score-images", img_dir, "--mode", "sideways",
                     check=False), "--mode")
    expect_error(run(*base, "--scores", scores, "--score-images", img_dir, "--val", "5", check=False), "--val")
    expect_error(run(*base, "--images", unl, "--types", "jpeg,warp", check=False), "warp")
    expect_error(run(*base, check=False), "nothing to train")
    assert open(out).read() == "keep", "a failed run overwrote the output"
    expect_error(run("eval-iqa", "--model", os.path.join(d, "none.rvb"), "--images", img_dir, "--scores", scores,
                     check=False), "none.rvb")
    expect_error(run("eval-iqa", "--model", out, "--images", img_dir, "--scores", scores, check=False), "keep.rvb")
    expect_error(run("eval-iqa", "--model", out, "--images", img_dir, check=False), "--scores")
    expect_error(run("select", "--model", out, "--images", img_dir, "--out", os.path.join(d, "l.txt"), check=False),
                 "--budget")
    expect_error(run("select", "--model", out, "--images", img_dir, "--video", "x.avi", "--budget", "2", "--out",
                     os.path.join(d, "l.txt"), check=False), "exactly one")
    empty = os.path.join(d, "empty.avi")
    open(empty, "wb").close()
    q = os.path.join(d, "q.rvb")
    run("train-iqa", "--images", unl, "--distortions", "live", "--rank-iterations", "1", "--out", q, *TINY_IQA)
    expect_error(run("select", "--model", q, "--video", empty, "--budget", "2", "--out", os.path.join(d, "l.txt"),
                     check=False), "empty.avi")
    assert not os.path.exists(os.path.join(d, "l.txt"))
    expect_error(run("distort", "--image", os.path.join(d, "nope.png"), "--out", os.path.join(d, "o"), check=False),
                 "nope.png")
    assert not os.path.exists(os.path.join(d, "o"))
    expect_error(run("distort", "--image", os.path.join(img_dir, "q_00.png"), "--type", "warp", "--out",
                     os.path.join(d, "o"), check=False), "warp")
    expect_error(run("crops", "--image", os.path.join(img_dir, "q_00.png"), "--s", "1.5", "--out",
                     os.path.join(d, "o"), check=False), "--s")
    expect_error(run("density", "--image", os.path.join(img_dir, "q_00.png"), "--points",
                     os.path.join(d, "nope.json"), "--out", os.path.join(d, "o"), check=False), "nope.json")
    assert not os.path.exists(os.path.join(d, "o"))
    expect_error(run("active-sim", "--points", os.path.join(d, "nope.json"), "--images", img_dir, "--out",
                     os.path.join(d, "sim"), check=False), "nope.json")


if __name__ == "__main__":
    cli_util.main(globals())
