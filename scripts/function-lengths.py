#!/usr/bin/python3
"""Lists C++ function bodies longer than a limit (default 100 lines).

A function body is a top-level (or namespace/class-level) brace block opened
after a line ending in ')' / 'const' / 'override' / a noexcept or an
initialiser list. Lambdas inside a function count toward their function.
GObject class_init functions may run to --class-init-limit (default 150) lines:
their property tables are long by nature.
Usage: scripts/function-lengths.py [--limit N] [--class-init-limit N] DIR...
Exit status 1 when a function is over its limit (each printed as file:line: name: N lines).
"""
import argparse
import os
import re
import sys

SIG_END = re.compile(r"(\)|\bconst|\boverride|\bnoexcept|\bfinal)\s*(->\s*[\w:<>,\s*&]+)?\s*\{?\s*$")
CONTAINER = re.compile(r"^\s*(namespace\b|(typedef\s+)?(struct|class|union|enum)\b|extern\s+\"C\"|G_BEGIN_DECLS)")


def strip(line, state):
    """Removes comments and string/char literals; state carries /* */ across lines."""
    out, i, n = [], 0, len(line)
    while i < n:
        if state["block"]:
            j = line.find("*/", i)
            if j < 0:
                return "".join(out)
            state["block"], i = False, j + 2
            continue
        c = line[i]
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["block"], i = True, i + 2
            continue
        if c in "\"'":
            if c == '"' and i > 0 and line[i - 1] == "R":  # raw string: R"(...)"
                j = line.find(')"', i)
                i = n if j < 0 else j + 2
                continue
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def functions(path):
    state = {"block": False}
    lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    depth, stack, prev = 0, [], ""  # stack entries: (kind, start_line, name, depth_at_open)
    for no, raw in enumerate(lines, 1):
        code = strip(raw, state)
        for k, ch in enumerate(code):
            if ch == "{":
                head = (prev + " " + code[:k]).strip()
                in_function = any(s[0] == "fn" for s in stack)
                if not in_function and not CONTAINER.search(head.split(";")[-1]) and SIG_END.search(code[:k] if code[:k].strip() else prev) \
                        and "=" not in (code[:k] if code[:k].strip() else prev).split("(")[0]:
                    sig = code[:k] if "(" in code[:k] else prev
                    m = re.findall(r"([~\w:]+)\s*\(", sig)
                    stack.append(("fn", no, m[0] if m else "?", depth))
                elif not in_function and re.search(r"\)\s*:\s*\w|^\s*:\s*\w|^\s*,\s*\w+[({]", head) and not CONTAINER.search(head):
                    m = re.findall(r"([~\w:]+)\s*\(", head)
                    stack.append(("fn", no, m[0] if m else "?", depth))
                else:
                    stack.append(("blk", no, "", depth))
                depth += 1
            elif ch == "}":
                depth -= 1
                if stack:
                    kind, start, name, _ = stack.pop()
                    if kind == "fn":
                        yield start, name, no - start + 1
        if code.strip():
            prev = code


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--class-init-limit", type=int, default=150)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    bad = 0
    paths = []
    for d in a.dirs:
        if os.path.isfile(d):
            paths.append(d)
        for root, _, files in os.walk(d):
            paths += [os.path.join(root, f) for f in sorted(files) if f.endswith((".cpp", ".h", ".cc", ".hpp"))]
    for p in paths:
                for start, name, n in functions(p):
                    limit = a.class_init_limit if name.endswith("class_init") else a.limit
                    if n > limit:
                        print(f"{p}:{start}: {name}: {n} lines (limit {limit})")
                        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
