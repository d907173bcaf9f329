import json
import os
import subprocess

from .base import Comparison, Figure, ROOT


class NoopDeploy(Figure):
    """Figure 2: a no-op `./build.sh --target=Deploy` vs its floor, cargo's no-op build plus one SSH round trip.

    Everything is current and the emulated device already runs the binary (the first run, not
    timed, builds and deploys: ~40 s in a new work dir). The floor reruns the exact cargo command
    crossboard ran (the first line of its log) and `ssh ... true` to the same device, with its host
    key checked as crossboard checks it.
    """
    name = "noop-deploy"
    title = "No-op Deploy: ./build.sh --target=Deploy, all current, vs cargo's no-op build + one ssh round trip"
    ours = "build.sh Deploy"
    baseline = "cargo + ssh true"
    board = "malta-le"

    def comparisons(self):
        return [Comparison("No-op Deploy (all current) vs cargo's no-op build + one ssh round trip", self.ours, self.baseline, target=1.3)]

    def measure(self, runs, work_dir, timed):
        env = dict(os.environ, NO_COLOR="1")
        deploy = [os.path.join(ROOT, "build.sh"), "--target=Deploy", f"--work-dir={work_dir}"]
        machine = os.path.join(work_dir, "emulator", self.board)
        was_running = self._running(machine)
        timed(deploy, env)  # everything current, the binary on the device
        try:
            floor = self._floor(work_dir, machine, env)
            return self.interleave(runs, {
                self.ours: lambda: timed(deploy, env),
                self.baseline: lambda: sum(timed(step, env) for step in floor),
            })
        finally:
            if not was_running:
                # Leave the machine as it was: a qemu left running costs the other work a core's share.
                subprocess.run([os.path.join(ROOT, "build.sh"), "--target=EmulatorStop", f"--work-dir={work_dir}"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _floor(self, work_dir, machine, env):
        with open(os.path.join(work_dir, "logs", f"cargo-build-{self.board}.log")) as f:
            cargo = f.readline()
        if not cargo.startswith("$ "):
            raise RuntimeError(f"the cargo log does not start with the command line: {cargo[:200]}")
        with open(os.path.join(machine, "instance.json")) as f:
            instance = json.load(f)
        with open(os.path.join(machine, "keys", "ssh_host_ed25519_key.pub")) as f:
            host_key = " ".join(f.read().split()[:2])
        known_hosts = os.path.join(work_dir, "bench", "noop-deploy-known_hosts")
        os.makedirs(os.path.dirname(known_hosts), exist_ok=True)
        with open(known_hosts, "w") as f:
            f.write(f"[127.0.0.1]:{instance['SshPort']} {host_key}\n")
        ssh = ["ssh", "-F", "/dev/null", "-i", instance["DeployKey"], "-p", str(instance["SshPort"]),
               "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={known_hosts}",
               "root@127.0.0.1", "true"]
        return [["sh", "-c", cargo[2:].strip()], ssh]

    @staticmethod
    def _running(machine):
        try:
            with open(os.path.join(machine, "instance.json")) as f:
                pid = json.load(f)["Pid"]
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return b"qemu" in f.read()
        except (OSError, ValueError, KeyError):
            return False
