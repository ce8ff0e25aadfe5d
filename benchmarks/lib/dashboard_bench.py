"""Runs the in-process dashboard benchmark (benchmarks/DashboardBench, release build) and returns
the figures of its RESULT line."""
import json
import os
import subprocess
import sys

from results import ROOT


def run(*arguments):
    subprocess.run(["swift", "build", "-c", "release", "--product", "dashboard-bench"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    process = subprocess.run([os.path.join(ROOT, ".build", "release", "dashboard-bench"), *arguments], capture_output=True, text=True)
    sys.stdout.write("".join(line + "\n" for line in process.stdout.splitlines() if not line.startswith("RESULT ")))
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        sys.exit(f"dashboard-bench {' '.join(arguments)} failed: {process.stderr[-500:]}")
    return json.loads(lines[-1][len("RESULT "):])
