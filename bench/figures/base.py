import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Figure:
    name = ""
    title = ""
    unit = "s"
    ours = "crossboard"
    baseline = "baseline"
    target = None               # the ratio to stay under (ours / baseline)
    ratio_of_throughput = False  # True when the unit is a rate (higher is better): the ratio is inverted

    def measure(self, runs, work_dir, timed):
        """Returns {variant: [value, ...]} with `runs` values for ours and baseline."""
        raise NotImplementedError

    @staticmethod
    def interleave(runs, variants):
        """Runs each variant `runs` times, alternating, after one warm-up each; returns the samples."""
        samples = {name: [] for name in variants}
        for name, run in variants.items():
            run()  # warm-up: caches, JIT, page cache
        for _ in range(runs):
            for name, run in variants.items():
                samples[name].append(run())
        return samples
