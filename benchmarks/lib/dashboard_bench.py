"""Runs the in-process dashboard benchmark (benchmarks/DashboardBench, release build) RUNS times
(3 by default; FLEETDECK_BENCH_RUNS sets it) and returns each run's figures (its RESULT line), so
a benchmark records every run and judges its target by the worst."""
import json
import os
import subprocess
import sys

from results import ROOT

RUNS = int(os.environ.get("FLEETDECK_BENCH_RUNS", "3"))


def run(*arguments):
    subprocess.run(["swift", "build", "-c", "release", "--product", "dashboard-bench"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    figures = []
    for _ in range(RUNS):
        process = subprocess.run([os.path.join(ROOT, ".build", "release", "dashboard-bench"), *arguments], capture_output=True, text=True)
        sys.stdout.write("".join(line + "\n" for line in process.stdout.splitlines() if not line.startswith("RESULT ")))
        lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
        if process.returncode != 0 or not lines:
            sys.exit(f"dashboard-bench {' '.join(arguments)} failed: {process.stderr[-500:]}")
        figures.append(json.loads(lines[-1][len("RESULT "):]))
    return figures


def each(figures, name):
    """One figure from every run."""
    return [run[name] for run in figures]
