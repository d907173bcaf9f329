import json
import os
import subprocess
import tempfile

from .base import Comparison, Figure, ROOT
from .netns import namespace



class Fleet(Figure):
    """Figure 11: fleets of 1, 4 and 16 dropbear devices without SFTP, each behind a link of 50 ms RTT (emulated, in a network namespace of the bench's own).

    crossboard: `./build.sh --target=Deploy --devices=FILE --artifact=...` (the native host, as
    users run it), each device verified, installed atomically, restarted and smoke-checked; each run
    deploys a build of a 1.2 MB app that no device has yet (builds differ in their version string). The loop:
    `for h; do scp -O; ssh h restart; done`. pssh: `parallel-scp -O`, then `parallel-ssh` restart
    (Debian's pssh, installed with apt-get when missing). The crossboard runs send only what changed
    (an earlier build is on the devices); "16, whole" sends the whole binary uncompressed, as the
    baselines do. Then, untimed: the 16 plus one
    unreachable device: the others deploy, the table names the failed one, the exit status is not 0.
    """
    name = "fleet"
    title = "Fleet Deploy to 1, 4, 16 devices (50 ms RTT) vs a sequential scp+ssh loop and parallel-scp + parallel-ssh"

    def comparisons(self):
        rows = []
        for n in (1, 4, 16):
            rows.append(Comparison(f"10. Fleet of {n} (50 ms RTT): `--devices` Deploy incl. restart and smoke check vs `for h; do scp; ssh restart; done`",
                                   f"crossboard-{n}", f"loop-{n}", target=0.2 if n == 16 else None))
            rows.append(Comparison(f"10. fleet of {n}: the same vs `parallel-scp` + `parallel-ssh` restart",
                                   f"crossboard-{n}", f"pssh-{n}", target=1.3 if n == 16 else None))
        rows.append(Comparison("10. fleet of 1, the whole binary each time (`--compress=no`: no delta, no gzip; the baselines' bytes) vs `parallel-scp` + `parallel-ssh`",
                               "crossboard-1-whole", "pssh-1"))
        rows.append(Comparison("10. fleet of 16, the whole binary each time (`--compress=no`: no delta, no gzip; the baselines' bytes) vs `parallel-scp` + `parallel-ssh`",
                               "crossboard-16-whole", "pssh-16"))
        return rows

    def measure(self, runs, work_dir, timed):
        if subprocess.run(["sh", "-c", "command -v parallel-scp"], stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "install", "-y", "-q", "pssh"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        with tempfile.TemporaryDirectory(prefix="crossboard-bench-fleet-") as tmp, namespace("fleet") as ns:
            out = os.path.join(tmp, "samples.json")
            env = dict(os.environ, CROSSBOARD_BENCH_NETNS=ns)
            result = subprocess.run([os.path.join(ROOT, "bench", "deploy", "run.sh"), "figure-fleet", str(runs), out],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"bench/deploy/run.sh figure-fleet failed ({result.returncode}): {result.stdout[-3000:]}")
            with open(out) as f:
                data = json.load(f)
        check = data["unreachable"]
        ok = check["exit"] != 0 and check["deployed"] == 16 and check["failedRow"]
        print(f"   one unreachable of 17: exit {check['exit']}, {check['deployed']} deployed, its row: {check['failedRow']!r}"
              f" -> {'as it should' if ok else 'NOT as it should'}", flush=True)
        if not ok:
            raise RuntimeError(f"with one device unreachable the fleet deploy did not behave: {check}")
        return data["seconds"]
