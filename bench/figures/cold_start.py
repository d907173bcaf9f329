import os
import shutil

from .base import BUILD_SH, Comparison, Figure, ROOT


class ColdStart(Figure):
    """Figure 9: the quick start's first run, cold: --target=Deploy of samples/hello to the emulated
    device from an empty work dir and an empty cargo target dir, the Debian packages' downloads
    cached (CROSSBOARD_DEB_CACHE, filled by the warm-up), the device stopped after each run.

    crossboard as it runs by default (the emulated device's image and boot in the background,
    beside the toolchain and cargo) against the same command with --overlap=false: the same
    stages one after the other, i.e. their sum. On 2 cores the two branches compete for the CPU
    (cargo's rustc and the image's dpkg-deb/gzip, then qemu's boot), so the overlapped run saves
    less than the shorter branch.
    """
    name = "cold-start"
    title = "Cold quick start (Deploy, empty work dir, package downloads cached): overlapped vs one after the other"

    def comparisons(self):
        return [Comparison("Cold quick start: Deploy to the emulated device, empty work dir, downloads cached",
                           "overlapped", "one after the other", target=0.7)]

    def measure(self, runs, work_dir, timed):
        app = os.path.join(work_dir, "app")
        shutil.rmtree(app, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, "samples", "hello"), app, ignore=shutil.ignore_patterns("target"))
        env = self.env(CROSSBOARD_DEB_CACHE=os.path.join(work_dir, "debs"))
        work = os.path.join(work_dir, "work")

        def cold(*switches):
            shutil.rmtree(work, ignore_errors=True)
            shutil.rmtree(os.path.join(app, "target"), ignore_errors=True)
            try:
                load = os.getloadavg()[0]
                took = timed([BUILD_SH, "--target=Deploy", f"--work-dir={work}", f"--app={app}", "--yes", *switches], env)
                print(f"   {' '.join(switches) or 'overlapped'}: {took:.1f} s (load average before: {load:.2f})", flush=True)
                return took
            finally:
                timed([BUILD_SH, "--target=EmulatorStop", f"--work-dir={work}"], env)

        return self.interleave(runs, {"overlapped": lambda: cold(), "one after the other": lambda: cold("--overlap=false")})
