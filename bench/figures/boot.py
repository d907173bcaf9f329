from .base import BUILD_SH, Comparison, Figure


class Boot(Figure):
    """Figure 7: the emulated device from stopped to answering SSH (EmulatorStart, image already built)."""
    name = "boot"
    title = "Emulated device: EmulatorStart, stopped to SSH answering"

    def comparisons(self):
        return [Comparison("Emulated device: boot to SSH (EmulatorStart)", "EmulatorStart")]

    def measure(self, runs, work_dir, timed):
        env = self.env()
        switches = [f"--work-dir={work_dir}"]
        timed([BUILD_SH, "--target=EmulatorImage", *switches], env)

        def boot():
            timed([BUILD_SH, "--target=EmulatorStop", *switches], env)
            return timed([BUILD_SH, "--target=EmulatorStart", "--exclusive", *switches], env)

        try:
            return self.interleave(runs, {"EmulatorStart": boot})
        finally:
            timed([BUILD_SH, "--target=EmulatorStop", *switches], env)
