#!/usr/bin/env python3
"""Writes a git fast-import stream of a repository with a long history to stdout.

Usage: make_history.py COMMITS [TAG]
200 files under package/, all written by the first commit, 5 rewritten by each later one
(deterministic); the last commit is tagged TAG (default v1.0.0). Used by bench/clone/run.sh and
the clone figure of bench/run.py.
"""
import random
import sys

commits = int(sys.argv[1])
tag = sys.argv[2] if len(sys.argv) > 2 else "v1.0.0"
rng = random.Random(42)
files = [f"package/pkg{i:03d}/Makefile" for i in range(200)]
out = sys.stdout.buffer


def blob(data):
    out.write(b"data %d\n" % len(data) + data + b"\n")


for n in range(1, commits + 1):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer bench <bench@crossboard.invalid> %d +0000\n" % (1500000000 + n * 600))
    blob(b"change %d" % n)
    for path in files if n == 1 else rng.sample(files, 5):
        text = b"\n".join(b"PKG_%d:=%x" % (i, rng.getrandbits(64)) for i in range(100)) + b"\n"
        out.write(b"M 100644 inline " + path.encode() + b"\n")
        blob(text)
    if n == commits:
        out.write(b"\n")
out.write(b"tag " + tag.encode() + b"\nfrom refs/heads/main\ntagger bench <bench@crossboard.invalid> 1600000000 +0000\n")
blob(b"release")
