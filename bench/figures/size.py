import os

from .base import BUILD_SH, Comparison, Figure, ROOT

# The seed's Rocket binary, as its scp line reported it in 2017 ("rocket_testing 100% 17MB
# 93.1KB/s 03:04"): quoted from the post, not measured here.
SEED_BYTES = 17 * 1024 * 1024


class Size(Figure):
    """Figure 4: samples/hello for mipsel with the size profile vs cargo's default release, and vs the seed."""
    name = "size"
    title = "Size of samples/hello for mipsel (malta-le, static)"

    def comparisons(self):
        return [
            Comparison("Size: size profile vs cargo's default release (mipsel)", "size profile", "default release", unit="bytes"),
            Comparison("Size: size profile vs the seed's 17 MB Rocket binary (quoted)", "size profile", "seed (2017)", unit="bytes"),
        ]

    def measure(self, runs, work_dir, timed):
        # Sizes do not vary from run to run: one build of each.
        samples = {}
        for variant, switch in (("size profile", "true"), ("default release", "false")):
            timed([BUILD_SH, "--target=CargoBuild", f"--size-profile={switch}", f"--work-dir={work_dir}"], self.env())
            binary = os.path.join(ROOT, "samples", "hello", "target", "mipsel-unknown-linux-gnu", "release", "hello")
            samples[variant] = [float(os.path.getsize(binary))]
        samples["seed (2017)"] = [float(SEED_BYTES)]
        return samples
