import os
import shutil
import socket
import subprocess

from .base import BUILD_SH, Comparison, Figure, ROOT


class CompileCache(Figure):
    """Figure 8: --compile-cache=sccache: CargoBuild from a clean target dir with the cache warm vs cold.

    The app is tests/Cargo/Fixtures/sqlite-app (libsqlite3-sys and pkg-config from Debian's
    packaged crates, libsqlite3 as a declared C library), built for the deploy tests' x86-64 board:
    Debian's rustc builds for it without --sysroot, which sccache needs (its foreign-target std
    comes through --sysroot, which sccache does not cache). Both variants start from an empty
    target dir; "cold" also from an empty cache, as a CI runner's first build would.
    """
    name = "compile-cache"
    title = "CargoBuild from a clean target dir: sccache warm vs cold"

    def comparisons(self):
        return [Comparison("Compile cache: clean-target CargoBuild, sccache warm vs cold", "warm cache", "cold cache")]

    def measure(self, runs, work_dir, timed):
        app = os.path.join(work_dir, "app")
        shutil.rmtree(app, ignore_errors=True)
        shutil.copytree(os.path.join(ROOT, "tests", "Cargo", "Fixtures", "sqlite-app"), app)
        cache = os.path.join(work_dir, "sccache")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = str(s.getsockname()[1])
        env = self.env(SCCACHE_DIR=cache, SCCACHE_SERVER_PORT=port)
        command = [BUILD_SH, "--target=CargoBuild", "--board=x86-64-device", f"--recipes={os.path.join(ROOT, 'tests', 'Fixtures', 'Ssh', 'recipes')}",
                   f"--app={app}", f"--work-dir={os.path.join(work_dir, 'work')}", "--compile-cache=sccache",
                   f"--cargo-config={os.path.join(ROOT, 'tests', 'setup', 'debian-crates.toml')}"]

        def build(cold):
            shutil.rmtree(os.path.join(app, "target"), ignore_errors=True)
            if cold:
                subprocess.run(["sccache", "--stop-server"], env=env, capture_output=True)
                shutil.rmtree(cache, ignore_errors=True)
            return timed(command, env)

        try:
            return self.interleave(runs, {"cold cache": lambda: build(True), "warm cache": lambda: build(False)})
        finally:
            subprocess.run(["sccache", "--stop-server"], env=env, capture_output=True)
