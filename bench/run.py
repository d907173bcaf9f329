#!/usr/bin/env python3
"""crossboard's benchmarks: every figure measured in one run, side by side with its baseline.

Usage: bench/run.py [--runs N] [--only NAME[,NAME]] [--work-dir DIR]

Each figure runs its variants N times (interleaved, after one warm-up), and reports the median
and spread (min..max) of each, and the ratio of the two medians. Results go to
<work-dir>/bench/<timestamp>/results.{csv,json} and a chart ratios.svg; the table is printed in
the Markdown the README's "Performance" section uses.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
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
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), {platform.node()}"


def render_svg(rows, path):
    """A horizontal bar per figure: the ratio (ours / baseline, lower is better) and its target."""
    width, bar_h, gap, left = 760, 26, 14, 300
    height = 60 + len(rows) * (bar_h + gap)
    peak = max([r["ratio"] for r in rows] + [r.get("target") or 0 for r in rows] + [1.0]) * 1.1
    scale = (width - left - 40) / peak
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
           f'<text x="10" y="22" font-size="15" font-weight="bold">crossboard vs baseline (ratio of medians; lower is better)</text>']
    x1 = left + scale * 1.0
    out.append(f'<line x1="{x1:.1f}" y1="34" x2="{x1:.1f}" y2="{height - 10}" stroke="#888" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{x1 + 4:.1f}" y="46" fill="#666">1.0</text>')
    for i, r in enumerate(rows):
        y = 56 + i * (bar_h + gap)
        ok = r.get("target") is None or r["ratio"] <= r["target"]
        color = "#2a9d8f" if ok else "#e76f51"
        out.append(f'<text x="10" y="{y + 17}">{r["figure"]}</text>')
        out.append(f'<rect x="{left}" y="{y}" width="{scale * r["ratio"]:.1f}" height="{bar_h}" fill="{color}"/>')
        out.append(f'<text x="{left + scale * r["ratio"] + 6:.1f}" y="{y + 17}">{r["ratio"]:.2f}x</text>')
        if r.get("target"):
            tx = left + scale * r["target"]
            out.append(f'<line x1="{tx:.1f}" y1="{y - 3}" x2="{tx:.1f}" y2="{y + bar_h + 3}" stroke="#264653" stroke-width="2"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="")
    parser.add_argument("--work-dir", default=os.environ.get("CROSSBOARD_BENCH_WORK_DIR",
                                                             os.path.join(os.path.expanduser("~"), ".cache", "crossboard-bench")))
    args = parser.parse_args()
    only = [n for n in args.only.split(",") if n]
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out_dir = os.path.join(args.work_dir, "bench", stamp)
    os.makedirs(out_dir, exist_ok=True)

    rows = []
    for figure in FIGURES:
        if only and figure.name not in only:
            continue
        print(f"== {figure.name}: {figure.title}", flush=True)
        try:
            samples = figure.measure(args.runs, args.work_dir, timed)
        except Exception as e:  # a figure that cannot run here is reported, not fatal to the others
            print(f"   failed: {e}", flush=True)
            rows.append({"figure": figure.name, "title": figure.title, "error": str(e)})
            continue
        ours, base = samples[figure.ours], samples[figure.baseline]
        row = {
            "figure": figure.name, "title": figure.title, "unit": figure.unit,
            "ours": figure.ours, "baseline": figure.baseline,
            "ours_median": statistics.median(ours), "ours_min": min(ours), "ours_max": max(ours),
            "base_median": statistics.median(base), "base_min": min(base), "base_max": max(base),
            "runs": len(ours), "target": figure.target, "samples": samples,
        }
        row["ratio"] = row["ours_median"] / row["base_median"] if row["base_median"] else float("inf")
        if figure.ratio_of_throughput:
            row["ratio"] = 1 / row["ratio"] if row["ratio"] else float("inf")
        rows.append(row)
        print(f"   {figure.ours}: {row['ours_median']:.3f} {figure.unit} ({row['ours_min']:.3f}..{row['ours_max']:.3f}), "
              f"{figure.baseline}: {row['base_median']:.3f} {figure.unit} ({row['base_min']:.3f}..{row['base_max']:.3f}), "
              f"ratio {row['ratio']:.2f}" + (f" (target < {figure.target:.2f})" if figure.target else ""), flush=True)

    measured = [r for r in rows if "ratio" in r]
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"machine": machine(), "when": stamp, "runs": args.runs, "figures": rows}, f, indent=2)
    with open(os.path.join(out_dir, "results.csv"), "w") as f:
        f.write("figure,variant,run,value,unit\n")
        for r in measured:
            for variant, values in r["samples"].items():
                for i, v in enumerate(values):
                    f.write(f"{r['figure']},{variant},{i + 1},{v:.6f},{r['unit']}\n")
    if measured:
        render_svg(measured, os.path.join(out_dir, "ratios.svg"))

    print()
    print(f"Machine: {machine()}; {args.runs} runs per variant; {stamp}")
    print()
    print("| figure | crossboard (median, min..max) | baseline (median, min..max) | ratio | target |")
    print("|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['title']} | not measured: {r['error']} | | | |")
            continue
        print(f"| {r['title']} | {r['ours']}: {r['ours_median']:.3f} {r['unit']} ({r['ours_min']:.3f}..{r['ours_max']:.3f}) "
              f"| {r['baseline']}: {r['base_median']:.3f} {r['unit']} ({r['base_min']:.3f}..{r['base_max']:.3f}) "
              f"| {r['ratio']:.2f} | {('< %.2f' % r['target']) if r['target'] else ''} |")
    print()
    print(f"Results: {out_dir}/results.csv, results.json, ratios.svg")
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
