#!/usr/bin/env python3
"""crossboard's benchmarks: every figure measured in one run, side by side with its baseline.

Usage: bench/run.py [--runs N] [--only NAME[,NAME]] [--work-dir DIR] [--host native|composite|quick]

Each figure measures its variants N times (interleaved, after a warm-up) and reports, per
comparison, the median and spread (min..max) of crossboard's variant and of the baseline, and
the ratio of the medians, crossboard / baseline: for times and sizes lower is better, for
throughputs higher is better. Results go to <work-dir>/bench/<timestamp>/results.{csv,json}
and a chart, ratios.svg; the table is printed as the Markdown of README's "Performance".

The figures run build.sh's native host, what users run once its background build is done
(--host=composite: what that build makes where a native one cannot be built; --host=quick: the
quick one, a fresh clone's first runs' and CI's); it is built before anything is timed.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))

from figures import FIGURES  # noqa: E402


def timed(command, env=None, cwd=ROOT):
    """Seconds one run of `command` (an argument list) takes; fails loudly if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout[-3000:]}")
    return elapsed


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu})"


def fmt(value, unit):
    if unit == "bytes":
        return f"{value / 1048576:.2f} MiB" if value >= 1048576 else f"{value / 1024:.1f} KiB"
    return f"{value:.3f} {unit}"


def render_svg(rows, path):
    """One bar per comparison: the ratio, the 1.0 line, and the target where there is one."""
    rows = [r for r in rows if r.get("ratio") is not None]
    width, bar_h, gap, left = 980, 24, 12, 520
    height = 64 + len(rows) * (bar_h + gap)
    peak = max([r["ratio"] for r in rows] + [r["target"] or 0 for r in rows] + [1.0]) * 1.15
    scale = (width - left - 70) / peak
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="10" y="22" font-size="15" font-weight="bold">crossboard / baseline (ratio of medians)</text>',
           '<text x="10" y="40" fill="#555">green: target met; red: missed; grey: no target. Throughput: higher is better; others: lower is better.</text>']
    x1 = left + scale
    out.append(f'<line x1="{x1:.1f}" y1="48" x2="{x1:.1f}" y2="{height - 6}" stroke="#888" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{x1 + 4:.1f}" y="{height - 8}" fill="#666">1.0</text>')
    for i, r in enumerate(rows):
        y = 56 + i * (bar_h + gap)
        met = r.get("met")
        color = "#999" if met is None else ("#2a9d8f" if met else "#e76f51")
        label = r["label"] if len(r["label"]) <= 80 else r["label"][:79] + "…"
        out.append(f'<text x="10" y="{y + 16}">{label}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{scale * r["ratio"]:.1f}" height="{bar_h}" fill="{color}"/>')
        out.append(f'<text x="{left + scale * r["ratio"] + 6:.1f}" y="{y + 16}">{r["ratio"]:.2f}x</text>')
        if r["target"]:
            tx = left + scale * r["target"]
            out.append(f'<line x1="{tx:.1f}" y1="{y - 3}" x2="{tx:.1f}" y2="{y + bar_h + 3}" stroke="#264653" stroke-width="2"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


def summarize(figure, comparison, samples):
    ours = samples[comparison.ours]
    row = {"figure": figure.name, "label": comparison.label, "unit": comparison.unit, "ours": comparison.ours,
           "ours_median": statistics.median(ours), "ours_min": min(ours), "ours_max": max(ours),
           "runs": len(ours), "target": comparison.target, "higher_is_better": comparison.higher_is_better,
           "baseline": comparison.baseline, "ratio": None, "met": None}
    if comparison.baseline:
        base = samples[comparison.baseline]
        row.update(base_median=statistics.median(base), base_min=min(base), base_max=max(base))
        row["ratio"] = row["ours_median"] / row["base_median"] if row["base_median"] else None
        if comparison.target and row["ratio"] is not None:
            row["met"] = row["ratio"] >= comparison.target if comparison.higher_is_better else row["ratio"] <= comparison.target
    return row


def prepare_host(kind):
    """Builds the build host the figures run, in the foreground, and keeps it for every build.sh they start."""
    os.environ["CROSSBOARD_HOST_BUILD"] = kind
    link = os.path.join(ROOT, "build", "bin", "host")

    def linked():
        if os.path.isfile(os.path.join(link, "Build.r2r.dll")):
            return "composite"
        if os.path.isfile(os.path.join(link, "Build")) and not os.path.isfile(os.path.join(link, "Build.dll")):
            return "native"
        return "quick"

    if kind == "quick" and os.path.islink(link) and linked() != "quick":
        # build.sh keeps a fast host that is current; without a host it builds the quick one.
        os.remove(link)
    print(f"== build host: CROSSBOARD_HOST_BUILD={kind} ./build.sh --target=Boards", flush=True)
    result = subprocess.run([os.path.join(ROOT, "build.sh"), "--target=Boards"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"bench/run.py: building the {kind} build host failed:\n{result.stderr[-3000:]}")
    if linked() != kind:
        sys.exit(f"bench/run.py: build/bin/host is not the {kind} build host after building it; remove build/bin/host* and rerun")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated figure names: " + ", ".join(f.name for f in FIGURES))
    parser.add_argument("--work-dir", default=os.environ.get("CROSSBOARD_BENCH_WORK_DIR",
                                                             os.path.join(os.path.expanduser("~"), ".cache", "crossboard-bench")))
    parser.add_argument("--host", choices=["native", "composite", "quick"], default="native",
                        help="the build host the figures run (default: native)")
    args = parser.parse_args()
    prepare_host(args.host)
    only = [n for n in args.only.split(",") if n]
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = os.path.join(args.work_dir, "bench", stamp)
    os.makedirs(out_dir, exist_ok=True)

    rows, failures, all_samples = [], [], {}
    for figure in FIGURES:
        if only and figure.name not in only:
            continue
        print(f"== {figure.name}: {figure.title}", flush=True)
        try:
            samples = figure.measure(args.runs, os.path.join(args.work_dir, figure.name), timed)
        except Exception as e:  # a figure that cannot run here is reported, not fatal to the others
            print(f"   not measured: {e}", flush=True)
            failures.append({"figure": figure.name, "title": figure.title, "error": str(e)})
            continue
        all_samples[figure.name] = samples
        for comparison in figure.comparisons():
            row = summarize(figure, comparison, samples)
            rows.append(row)
            line = f"   {comparison.label}: {row['ours']} {fmt(row['ours_median'], row['unit'])}"
            if row["baseline"]:
                line += f" vs {row['baseline']} {fmt(row['base_median'], row['unit'])}, ratio {row['ratio']:.2f}"
            if row["target"]:
                line += f" (target {'>=' if row['higher_is_better'] else '<='} {row['target']:.2f}: {'met' if row['met'] else 'MISSED'})"
            print(line, flush=True)

    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"machine": machine(), "when": stamp, "runs": args.runs, "host": args.host, "rows": rows, "failures": failures,
                   "samples": all_samples}, f, indent=2)
    with open(os.path.join(out_dir, "results.csv"), "w") as f:
        f.write("figure,variant,run,value\n")
        for name, samples in all_samples.items():
            for variant, values in samples.items():
                for i, v in enumerate(values):
                    f.write(f"{name},{variant},{i + 1},{v:.6f}\n")
    render_svg(rows, os.path.join(out_dir, "ratios.svg"))

    print()
    print(f"Machine: {machine()}; {args.runs} runs per variant; {args.host} build host; {stamp}")
    print()
    print("| figure | crossboard: median (min..max) | baseline: median (min..max) | ratio | target |")
    print("|---|---|---|---|---|")
    for r in rows:
        ours = f"{r['ours']}: {fmt(r['ours_median'], r['unit'])} ({fmt(r['ours_min'], r['unit'])}..{fmt(r['ours_max'], r['unit'])})"
        base = (f"{r['baseline']}: {fmt(r['base_median'], r['unit'])} ({fmt(r['base_min'], r['unit'])}..{fmt(r['base_max'], r['unit'])})"
                if r["baseline"] else "")
        ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
        target = (f"{'>=' if r['higher_is_better'] else '<='} {r['target']:.2f} {'met' if r['met'] else '**missed**'}"
                  if r["target"] else "")
        print(f"| {r['label']} | {ours} | {base} | {ratio} | {target} |")
    for failure in failures:
        print(f"| {failure['title']} | not measured: {failure['error'].splitlines()[0]} | | | |")
    print()
    print(f"Results: {out_dir}/results.csv, results.json, ratios.svg")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
