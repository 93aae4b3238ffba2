// The page `rankvision label` serves at /: plain HTML, CSS and JavaScript,
// no outside files. It talks to the server only through the JSON API
// (GET /api/frames, GET /frames/NAME, POST /api/points).
#include "label_page.h"

namespace rv::cli {

const char* label_page_html() {
  return R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rankvision label</title>
<style>
  body { margin: 0; font: 15px/1.4 system-ui, sans-serif; background: #1d1f21; color: #e8e8e8; }
  header { display: flex; gap: 18px; align-items: center; padding: 0 14px; height: 46px; background: #2b2e31; white-space: nowrap; overflow: hidden; }
  header h1 { font-size: 17px; margin: 0; }
  #progress, #count { font-weight: 600; font-size: 17px; }
  #count { color: #ffd24d; }
  button { font: inherit; padding: 4px 12px; border-radius: 4px; border: 1px solid #666; background: #3a3e42; color: #eee; cursor: pointer; }
  button:hover { background: #4a4f54; }
  #status { color: #9fd39f; flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; }
  /* the header never changes height, so the frame never moves under the pointer */
  #status.error { color: #ff8080; }
  main { display: flex; gap: 14px; padding: 10px 14px; align-items: flex-start; }
  #canvas { cursor: crosshair; max-width: calc(100vw - 300px); max-height: calc(100vh - 80px); box-shadow: 0 0 0 1px #555; }
  aside { width: 250px; font-size: 14px; }
  aside kbd { background: #3a3e42; border: 1px solid #666; border-radius: 3px; padding: 0 5px; }
  aside ul { padding-left: 18px; }
  #frames li.done { color: #9fd39f; }
  #frames li.current { font-weight: 700; }
</style>
</head>
<body>
<header>
  <h1>rankvision label</h1>
  <span id="progress">loading…</span>
  <span id="name"></span>
  <span id="count"></span>
  <button id="prev" title="previous frame (p)">&#8592; Prev</button>
  <button id="undo" title="remove the last dot (z)">Undo</button>
  <button id="clear" title="remove every dot of this frame (c)">Clear</button>
  <button id="next" title="next frame (n)">Next &#8594;</button>
  <span id="status"></span>
</header>
<main>
  <canvas id="canvas" width="640" height="480"></canvas>
  <aside>
    <p>Click on each person's head. Every change is saved at once to the counts CSV and the point JSON.</p>
    <p><b>Keyboard</b></p>
    <ul id="keys">
      <li><kbd>click</kbd> add a dot on a head</li>
      <li><kbd>z</kbd> or <kbd>Backspace</kbd> undo the last dot</li>
      <li><kbd>c</kbd> clear this frame</li>
      <li><kbd>n</kbd>, <kbd>&#8594;</kbd> or <kbd>Enter</kbd> next frame (an untouched frame is saved as 0 people)</li>
      <li><kbd>p</kbd> or <kbd>&#8592;</kbd> previous frame</li>
    </ul>
    <p><b>Frames</b></p>
    <ol id="frames"></ol>
  </aside>
</main>
<script>
"use strict";
const canvas = document.getElementById("canvas"), ctx = canvas.getContext("2d");
let frames = [], current = 0, image = null;

function setStatus(text, error) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = error ? "error" : "";
}

function draw() {
  if (!image) return;
  ctx.drawImage(image, 0, 0);
  const r = Math.max(3, Math.round(canvas.width / 200));
  for (const [x, y] of frames[current].points) {
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fillStyle = "#ff2a2a";
    ctx.fill();
    ctx.lineWidth = Math.max(1, r / 3);
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
  }
  const f = frames[current];
  const done = frames.filter(g => g.labelled).length;
  document.getElementById("progress").textContent = (current + 1) + " of " + frames.length + " (" + done + " saved)";
  document.getElementById("name").textContent = f.name;
  document.getElementById("count").textContent = "count: " + f.points.length;
  const list = document.getElementById("frames");
  list.innerHTML = "";
  frames.forEach((g, i) => {
    const li = document.createElement("li");
    li.textContent = g.name + (g.labelled ? " — " + g.points.length : "");
    li.className = (g.labelled ? "done " : "") + (i === current ? "current" : "");
    li.onclick = () => show(i);
    list.appendChild(li);
  });
}

function show(i) {
  current = Math.max(0, Math.min(frames.length - 1, i));
  const f = frames[current];
  const img = new Image();
  img.onload = () => { image = img; canvas.width = f.width; canvas.height = f.height; draw(); };
  img.onerror = () => setStatus("could not load " + f.name, true);
  img.src = "/frames/" + encodeURIComponent(f.name);
}

// Saves run one after another, in the order of the changes, and each sends the
// frame's points as they are when it starts: concurrent POSTs could otherwise
// reach the server out of order and leave an older state on disk (a click
// saved after the undo that followed it).
let saving = Promise.resolve();
function save() {
  const f = frames[current];
  saving = saving.then(() => post(f));
  return saving;
}

async function post(f) {
  try {
    const r = await fetch("/api/points", {method: "POST", headers: {"Content-Type": "application/json"},
                                          body: JSON.stringify({frame: f.name, points: f.points})});
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.statusText);
    f.labelled = true;
    setStatus("saved " + f.name + ": " + j.count + " (" + j.labelled + " of " + j.total + " frames)");
  } catch (e) {
    setStatus("not saved: " + e.message, true);
  }
  draw();
}

canvas.addEventListener("click", ev => {
  const b = canvas.getBoundingClientRect();
  const x = (ev.clientX - b.left) * canvas.width / b.width, y = (ev.clientY - b.top) * canvas.height / b.height;
  frames[current].points.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
  save();
});

async function next() { if (!frames[current].labelled) await save(); show(current + 1); }
function undo() { frames[current].points.pop(); save(); }
function clearFrame() { frames[current].points = []; save(); }
document.getElementById("prev").onclick = () => show(current - 1);
document.getElementById("next").onclick = next;
document.getElementById("undo").onclick = undo;
document.getElementById("clear").onclick = clearFrame;
document.addEventListener("keydown", ev => {
  if (ev.key === "z" || ev.key === "Backspace") { ev.preventDefault(); undo(); }
  else if (ev.key === "c") clearFrame();
  else if (ev.key === "n" || ev.key === "ArrowRight" || ev.key === "Enter") next();
  else if (ev.key === "p" || ev.key === "ArrowLeft") show(current - 1);
});

fetch("/api/frames").then(r => r.json()).then(list => {
  frames = list;
  const first = frames.findIndex(f => !f.labelled);
  show(first < 0 ? 0 : first);
}).catch(e => setStatus("cannot reach the server: " + e.message, true));
</script>
</body>
</html>
)HTML";
}

}  // namespace rv::cli
