"""rankvision label: the JSON API over HTTP, and the page in a real headless Chromium.

Usage: cli_label_test.py RANKVISION_BIN api|browser|video
The browser case drives Debian's chromium through the DevTools protocol
(python3-websocket): it clicks on the frame, presses the listed keys, and checks
the files the server wrote. With RANKVISION_LABEL_SCREENSHOT=FILE it also saves
a screenshot of the page (the README's picture).
"""
import base64
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import cli_util  # noqa: E402


def make_frames(d, n=3, size=(320, 240)):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        img = (rng.random((size[1], size[0], 3)) * 60 + 60).astype(np.uint8)
        for k in range(i + 2):  # a few bright "heads"
            cv2.circle(img, (40 + 60 * k, 80 + 20 * (k % 2)), 9, (230, 230, 230), -1)
        cv2.imwrite(os.path.join(d, f"cam_{i:03d}.jpg"), img)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([cli_util.BIN, "label", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, (line, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.url = f"http://127.0.0.1:{m.group(1)}"
        self.proc.stdout.readline()  # "writes ... after every change"

    def get(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as r:
            return r.status, r.read()

    def post(self, path, body):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        out, err = self.proc.communicate(timeout=30)
        assert self.proc.returncode == 0, (self.proc.returncode, err)
        return json.loads(out.strip().splitlines()[-1])


def read_counts(path):
    rows = [r for r in csv.reader(open(path)) if r and not r[0].startswith("#")]
    assert rows[0] == ["frame", "count"], rows
    return {int(r[0]): float(r[1]) for r in rows[1:]}


def case_api(d):
    frames = os.path.join(d, "frames")
    make_frames(frames)
    out = os.path.join(d, "labels")
    s = Server("--images", frames, "--out", out)
    try:
        status, body = s.get("/api/frames")
        listed = json.loads(body)
        assert status == 200 and [f["name"] for f in listed] == ["cam_000.jpg", "cam_001.jpg", "cam_002.jpg"], listed
        assert listed[0]["width"] == 320 and listed[0]["height"] == 240 and not listed[0]["labelled"]
        status, page = s.get("/")
        assert status == 200 and b"rankvision label" in page and b"/api/points" in page
        status, jpeg = s.get("/frames/cam_001.jpg")
        assert status == 200 and cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR).shape == (240, 320, 3)
        status, r = s.post("/api/points", {"frame": "cam_001.jpg", "points": [[10, 20], [100.5, 50]]})
        assert status == 200 and r == {"frame": "cam_001.jpg", "count": 2, "labelled": 1, "total": 3}, r
        # written at once, in the forms adapt and eval-count read
        assert read_counts(os.path.join(out, "counts.csv")) == {1: 2.0}
        pts = json.load(open(os.path.join(out, "points.json")))
        assert pts["images"] == [{"image": "cam_001.jpg", "points": [[10.0, 20.0], [100.5, 50.0]]}], pts
        # a frame with nobody is labelled 0
        assert s.post("/api/points", {"frame": "cam_000.jpg", "points": []})[0] == 200
        assert read_counts(os.path.join(out, "counts.csv")) == {0: 0.0, 1: 2.0}
        # bad requests: clear errors, and the server goes on
        for body, code, needle in ((b"{not json", 400, "not JSON"),
                                   ({"frame": "nope.jpg", "points": []}, 404, "unknown frame"),
                                   ({"frame": "cam_001.jpg", "points": [[400, 10]]}, 400, "outside the 320x240"),
                                   ({"frame": "cam_001.jpg", "points": [[1]]}, 400, "two numbers"),
                                   ({"points": []}, 400, "expected")):
            status, r = s.post("/api/points", body)
            assert status == code and needle in r["error"], (body, status, r)
        try:
            s.get("/frames/nope.jpg")
            raise AssertionError("an unknown frame must be 404")
        except urllib.error.HTTPError as e:
            assert e.code == 404
        assert read_counts(os.path.join(out, "counts.csv")) == {0: 0.0, 1: 2.0}
    finally:
        summary = s.stop()
    assert summary["frames"] == 3
    # eval-count reads the points file as written
    model = os.path.join(d, "m.rvb")
    cli_util.run("train-count", "--points", os.path.join(out, "points.json"), "--images", frames, "--out", model,
                 "--iterations", "1", "--input-size", "64", "--width", "0.125", "--no-rank", "--quiet")
    e = cli_util.last_json(cli_util.run("eval-count", "--model", model, "--points", os.path.join(out, "points.json"),
                                        "--images", frames, "--quiet"))
    assert e["n"] == 2, e
    # a second session picks up what was saved
    s2 = Server("--images", frames, "--out", out)
    listed = json.loads(s2.get("/api/frames")[1])
    s2.stop()
    assert [f["labelled"] for f in listed] == [True, True, False] and len(listed[1]["points"]) == 2


def case_video(d):
    video = os.path.join(d, "cam.avi")
    w = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*"MJPG"), 10, (160, 120))
    for i in range(8):
        w.write(np.full((120, 160, 3), 20 * i, np.uint8))
    w.release()
    lst = os.path.join(d, "pick.txt")
    with open(lst, "w") as f:
        f.write("5,0.31\n2,0.40\n")
    out = os.path.join(d, "labels")
    s = Server("--video", video, "--list", lst, "--out", out)
    try:
        listed = json.loads(s.get("/api/frames")[1])
        # in the list's order (select writes the least certain first), not by index
        assert [(f["name"], f["index"]) for f in listed] == [("frame_000005.png", 5), ("frame_000002.png", 2)], listed
        assert s.post("/api/points", {"frame": "frame_000005.png", "points": [[5, 5], [6, 6], [7, 7]]})[0] == 200
    finally:
        s.stop()
    assert read_counts(os.path.join(out, "counts.csv")) == {5: 3.0}
    assert sorted(os.listdir(os.path.join(out, "frames"))) == ["frame_000002.png", "frame_000005.png"]
    # bad inputs: a list naming a frame past the end, and no frames chosen
    bad = os.path.join(d, "bad.txt")
    with open(bad, "w") as f:
        f.write("99\n")
    cli_util.expect_error(cli_util.run("label", "--video", video, "--list", bad, "--out", out, "--port", "0",
                                       check=False), "frame 99", bad)
    cli_util.expect_error(cli_util.run("label", "--video", video, "--out", out, "--port", "0", check=False),
                          "--list or --frames")


class DevTools:
    """A headless Chromium and one page, driven through the DevTools protocol."""

    def __init__(self, profile):
        import websocket  # python3-websocket
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        assert chromium, "chromium is not installed (scripts/debian-packages.txt lists it)"
        self.proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                      "--remote-debugging-port=0", f"--user-data-dir={profile}",
                                      "--window-size=1280,800", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = None
        deadline = time.time() + 60
        while time.time() < deadline and port is None:
            line = self.proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            port = m.group(1) if m else None
        assert port, "chromium did not start its DevTools endpoint"
        pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10).read())
        page = next(p for p in pages if p["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                assert "error" not in msg, msg
                return msg.get("result", {})

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        return r["result"].get("value")

    def wait(self, expr, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.eval(expr):
                return True
            time.sleep(0.1)
        raise AssertionError("timed out waiting for " + expr)

    def click(self, x, y):
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    def key(self, key, code):
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key=key, code=code)

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def case_browser(d):
    frames = os.path.join(d, "frames")
    make_frames(frames)
    out = os.path.join(d, "labels")
    s = Server("--images", frames, "--out", out)
    b = DevTools(os.path.join(d, "profile"))
    try:
        b.call("Page.enable")
        b.call("Page.navigate", url=s.url + "/")
        b.wait("document.getElementById('progress').textContent.startsWith('1 of 3')")
        b.wait("document.getElementById('canvas').width === 320")
        keys = b.eval("document.getElementById('keys').textContent")
        assert "undo" in keys and "next frame" in keys, keys
        rect = b.eval("(() => { const r = document.getElementById('canvas').getBoundingClientRect();"
                      " return [r.left, r.top, r.width, r.height]; })()")
        sx, sy = rect[2] / 320, rect[3] / 240

        def at(x, y):
            return rect[0] + x * sx, rect[1] + y * sy

        for x, y in ((40, 80), (100, 100), (160, 80)):  # three heads ...
            b.click(*at(x, y))
        b.wait("document.getElementById('count').textContent === 'count: 3'")
        b.key("z", "KeyZ")  # ... undo the last
        b.wait("document.getElementById('count').textContent === 'count: 2'")
        b.wait("document.getElementById('status').textContent.startsWith('saved cam_000.jpg: 2')")
        pts = json.load(open(os.path.join(out, "points.json")))["images"]
        assert len(pts) == 1 and pts[0]["image"] == "cam_000.jpg" and len(pts[0]["points"]) == 2, pts
        x0, y0 = pts[0]["points"][0]
        assert abs(x0 - 40) <= 2 and abs(y0 - 80) <= 2, pts  # the dot is where the head was clicked
        b.key("n", "KeyN")  # next frame
        b.wait("document.getElementById('progress').textContent.startsWith('2 of 3')")
        b.click(*at(40, 80))
        b.wait("document.getElementById('status').textContent.startsWith('saved cam_001.jpg: 1')")
        b.key("ArrowRight", "ArrowRight")  # the third frame, then next again saves it as empty
        b.wait("document.getElementById('progress').textContent.startsWith('3 of 3')")
        b.key("Enter", "Enter")
        b.wait("document.getElementById('progress').textContent.includes('(3 saved)')")
        assert read_counts(os.path.join(out, "counts.csv")) == {0: 2.0, 1: 1.0, 2: 0.0}
        shot = os.environ.get("RANKVISION_LABEL_SCREENSHOT")
        if shot:
            b.key("ArrowLeft", "ArrowLeft")
            b.key("ArrowLeft", "ArrowLeft")
            b.wait("document.getElementById('progress').textContent.startsWith('1 of 3')")
            time.sleep(0.5)
            png = base64.b64decode(b.call("Page.captureScreenshot", format="png")["data"])
            with open(shot, "wb") as f:
                f.write(png)
    finally:
        b.close()
        s.stop()


if __name__ == "__main__":
    cli_util.main(globals())
