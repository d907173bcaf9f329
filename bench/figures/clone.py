import os
import shutil
import subprocess

from .base import BUILD_SH, Comparison, Figure, ROOT

COMMITS = 4000


def du(path):
    return float(sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs
                     if not os.path.islink(os.path.join(d, f))))


class Clone(Figure):
    """Figure 6: CloneSdk (a shallow fetch of the pinned tag) vs a full git clone of a local repo with a long history."""
    name = "clone"
    title = f"Clone of a local repository with {COMMITS} commits: CloneSdk vs git clone"

    def comparisons(self):
        return [
            Comparison(f"Clone time: CloneSdk (depth 1) vs full git clone, {COMMITS} commits", "CloneSdk time", "git clone time"),
            Comparison(f"Clone size: CloneSdk's .git vs a full clone's", "CloneSdk bytes", "git clone bytes", unit="bytes"),
        ]

    def measure(self, runs, work_dir, timed):
        repo = os.path.join(work_dir, "openwrt.git")
        if not os.path.isdir(repo):
            stream = subprocess.run(["python3", os.path.join(ROOT, "bench", "clone", "make_history.py"), str(COMMITS), "v24.10.8"],
                                    check=True, capture_output=True).stdout
            subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", repo], check=True)
            subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=stream, check=True)
            subprocess.run(["git", "-C", repo, "gc", "--quiet"], check=True)
        env = self.env()
        work = os.path.join(work_dir, "work")
        full = os.path.join(work_dir, "full")
        bytes_ = {}

        def ours():
            shutil.rmtree(work, ignore_errors=True)
            seconds = timed([BUILD_SH, "--target=CloneSdk", "--board=omega2", "--toolchain=openwrt-24.10",
                             f"--sdk-source={repo}", f"--work-dir={work}"], env)
            bytes_["CloneSdk bytes"] = du(os.path.join(work, "sdk", "openwrt-24.10", ".git"))
            return seconds

        def theirs():
            shutil.rmtree(full, ignore_errors=True)
            seconds = timed(["git", "clone", "--quiet", "--no-local", "file://" + repo, full], env)
            bytes_["git clone bytes"] = du(os.path.join(full, ".git"))
            return seconds

        samples = self.interleave(runs, {"CloneSdk time": ours, "git clone time": theirs})
        for name, value in bytes_.items():
            samples[name] = [value]
        return samples
