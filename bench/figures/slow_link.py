import json
import os
import shutil
import subprocess
import tempfile

from .base import Comparison, Figure, ROOT
from .netns import namespace



def _builds(work_dir):
    """Two real release builds of samples/hello for this machine (the test device's CPU) that differ by one line."""
    paths = []
    for name, edit in (("a", None), ("b", ('"hello {} listening on http', '"hello {} now listening on http'))):
        src = os.path.join(work_dir, name)
        if not os.path.isdir(src):
            shutil.copytree(os.path.join(ROOT, "samples", "hello"), src, ignore=shutil.ignore_patterns("target", ".cargo"))
            if edit:
                main = os.path.join(src, "src", "main.rs")
                with open(main) as f:
                    text = f.read()
                if edit[0] not in text:
                    raise RuntimeError(f"samples/hello/src/main.rs no longer has {edit[0]}: pick another one-line change")
                with open(main, "w") as f:
                    f.write(text.replace(edit[0], edit[1], 1))
        result = subprocess.run(["cargo", "build", "--release", "--offline", "-q"], cwd=src, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"cargo build of samples/hello ({name}) failed: {result.stdout[-2000:]}")
        paths.append(os.path.join(src, "target", "release", "hello"))
    return paths


class SlowLink(Figure):
    """Figure 10: a 1 Mbit/s, 50 ms RTT link (emulated in a network namespace of the bench's own), one dropbear device without SFTP.

    Two real builds of samples/hello (x86-64, release, ~520 KiB) that differ by one line of main.rs.
    "first": a Deploy to a device that never had the app; "redeploy": the changed build over the
    other, which crossboard put there (so the host kept a copy: only what changed goes);
    "redeploy-whole": the same with that copy gone (the whole binary, gzip as the advisor decides);
    "scp": OpenSSH's `scp -O` of the same binary, connect included. Each Deploy is the whole
    deploy stage in process (connect, look, upload, verify, atomic install, restart, smoke check
    over the same link); scp only connects and copies.
    """
    name = "slow-link"
    title = "Slow link (1 Mbit/s, 50 ms RTT): first deploy and one-line-change redeploy of samples/hello vs scp of it"

    def comparisons(self):
        return [Comparison("9. Redeploy after a one-line change, 1 Mbit/s 50 ms RTT (whole deploy stage, verified, atomic, restarted) vs `scp -O` of the binary",
                           "redeploy", "scp", target=0.3),
                Comparison("9. the same redeploy without the host's copy of the old build (whole binary, gzip) vs scp", "redeploy-whole", "scp"),
                Comparison("9. first deploy (device without the app) vs scp", "first", "scp")]

    def measure(self, runs, work_dir, timed):
        os.makedirs(work_dir, exist_ok=True)
        a, b = _builds(work_dir)
        with tempfile.TemporaryDirectory(prefix="crossboard-bench-slow-") as tmp, namespace("slow") as ns:
            out = os.path.join(tmp, "samples.json")
            env = dict(os.environ, CROSSBOARD_BENCH_NETNS=ns)
            result = subprocess.run([os.path.join(ROOT, "bench", "deploy", "run.sh"), "figure-slow-link", str(runs), out, a, b],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"bench/deploy/run.sh figure-slow-link failed ({result.returncode}): {result.stdout[-3000:]}")
            with open(out) as f:
                data = json.load(f)
        print(f"   sizes {data['sizes']} bytes; bytes sent: " +
              ", ".join(f"{k} {sorted(v)[len(v) // 2]}" for k, v in data["sent"].items()) +
              "; methods: " + ", ".join(f"{k} {sorted(set(v))}" for k, v in data["methods"].items()), flush=True)
        return data["seconds"]
