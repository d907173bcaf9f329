import os
import shutil
import subprocess

from .base import BUILD_SH, Comparison, Figure, ROOT


class ToolchainReuse(Figure):
    """Figure 5: the SDK stage (clone, seed, toolchain build) on the miniature SDK: first build, rerun, second board of the same arch."""
    name = "toolchain"
    title = "SDK stage on the miniature SDK: rerun and a second board vs the first build"

    def comparisons(self):
        return [
            Comparison("Toolchain: rerun vs first build (miniature SDK)", "rerun", "first build"),
            Comparison("Toolchain: second board, same arch (malta-le after omega2) vs first build", "second board", "first build"),
        ]

    def measure(self, runs, work_dir, timed):
        sdk = os.path.join(work_dir, "minisdk")
        shutil.rmtree(sdk, ignore_errors=True)
        subprocess.run(["bash", os.path.join(ROOT, "tests", "Fixtures", "MiniSdk", "create.sh"), sdk], check=True)
        env = self.env(DOWNLOAD_MIRROR="file://" + os.path.join(sdk, "mirror"))
        source = os.path.join(sdk, "openwrt")
        samples = {"first build": [], "rerun": [], "second board": []}
        for run in range(runs + 1):  # the first round warms the page cache and the host
            work = os.path.join(work_dir, "work")
            shutil.rmtree(work, ignore_errors=True)
            stage = lambda board: timed([BUILD_SH, "--target=BuildToolchain", f"--board={board}", "--toolchain=openwrt-24.10",
                                          f"--sdk-source={source}", f"--work-dir={work}"], env)
            first, rerun, second = stage("omega2"), stage("omega2"), stage("malta-le")
            if run > 0:
                samples["first build"].append(first)
                samples["rerun"].append(rerun)
                samples["second board"].append(second)
        return samples
