import os
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_SH = os.path.join(ROOT, "build.sh")


@dataclass
class Comparison:
    label: str
    ours: str
    baseline: str = None       # None: a figure of its own, without a ratio
    unit: str = "s"            # "s", "bytes", "MiB/s"
    target: float = None       # the ratio to meet
    higher_is_better: bool = False


class Figure:
    name = ""
    title = ""

    def comparisons(self):
        raise NotImplementedError

    def measure(self, runs, work_dir, timed):
        """Returns {variant: [value, ...]}; work_dir is this figure's own folder."""
        raise NotImplementedError

    @staticmethod
    def interleave(runs, variants):
        """Runs each variant `runs` times, alternating, after one warm-up each; returns the samples."""
        samples = {name: [] for name in variants}
        for run in variants.values():
            run()  # warm-up: caches, JIT, page cache
        for _ in range(runs):
            for name, run in variants.items():
                samples[name].append(run())
        return samples

    @staticmethod
    def env(**extra):
        return dict(os.environ, NO_COLOR="1", CI="true", **extra)
