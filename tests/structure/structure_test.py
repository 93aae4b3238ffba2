#!/usr/bin/python3
"""The code keeps the shape a newcomer can live in (issue 14):
 1. no function in gst-plugin/, core/ or training/ runs past 100 lines (GObject
    class_init property tables: 150), measured by scripts/function-lengths.py;
 2. no element source (gst-plugin/gst*.cpp, and the per-frame flow and tasks it
    includes) pulls in a LibTorch header, even indirectly: each is preprocessed
    with its real compile command (compile_commands.json) and gcc -H lists
    every header it reads.
Usage: structure_test.py SOURCE_ROOT BUILD_ROOT
"""
import glob
import json
import os
import re
import subprocess
import sys

src, build = sys.argv[1], sys.argv[2]
failures = []

lengths = subprocess.run([sys.executable, os.path.join(src, "scripts", "function-lengths.py"),
                          *(os.path.join(src, d) for d in ("gst-plugin", "core", "training"))],
                         capture_output=True, text=True)
if lengths.returncode != 0:
    failures.append("functions over their limit:\n" + lengths.stdout)

commands = {os.path.realpath(os.path.join(e["directory"], e["file"])): e
            for e in json.load(open(os.path.join(build, "compile_commands.json")))}
element_sources = sorted(glob.glob(os.path.join(src, "gst-plugin", "gst*.cpp")) +
                         [os.path.join(src, "gst-plugin", f) for f in ("frame_flow.cpp", "count_task.cpp", "quality_task.cpp")])
checked = 0
for path in element_sources:
    entry = commands.get(os.path.realpath(path))
    if entry is None:
        continue  # not built in this configuration (no GStreamer)
    cmd = entry["command"]
    cmd = re.sub(r" -o \S+", " -o /dev/null", cmd)
    cmd = re.sub(r" -M[DQF]+ \S+| -MD| -MMD", "", cmd)
    p = subprocess.run(cmd + " -fsyntax-only -H", shell=True, cwd=entry["directory"], capture_output=True, text=True)
    headers = [l.lstrip(". ").strip() for l in p.stderr.splitlines() if l.startswith(".")]
    if p.returncode != 0 or not headers:
        failures.append(f"{path}: could not list its headers (rc {p.returncode}):\n{p.stderr[-2000:]}")
        continue
    torch = [h for h in headers if re.search(r"/(torch|ATen|c10)/", h)]
    if torch:
        failures.append(f"{os.path.relpath(path, src)} includes LibTorch ({len(torch)} headers), e.g. {torch[0]}")
    checked += 1

if commands and any("gst-plugin" in k for k in commands) and checked == 0:
    failures.append("no element source was checked")
print(f"checked {checked} element sources for LibTorch headers; function lengths rc {lengths.returncode}")
if failures:
    print("\n".join(failures))
    sys.exit(1)
