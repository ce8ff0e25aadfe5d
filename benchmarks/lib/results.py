"""What every benchmark records: `benchmarks/results/NAME.json`, one file per benchmark, read by
`scripts/bench` to write the README's table (never typed by hand).

A result has the commit and date it was measured at, the machine, and one or more measures, each
with its figure, the peer's figure in the same run (when there is a peer), the ratio and the
target. `record()` also prints the measures, so a benchmark run by hand shows what it wrote.
"""
import datetime
import json
import os
import platform
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = os.path.join(ROOT, "benchmarks", "results")


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
            memory = f", {kb / 1024 / 1024:.0f} GB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}){memory}"


def commit():
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        # (the results and the README's table are what benchmarks write: not source changes)
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", ".", ":!benchmarks/results", ":!README.md"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def measure(name, figure, unit, target, *, peer=None, peer_figure=None, higher_is_better=False, note=""):
    """One measure. `target` is a limit on the figure (or, with a peer, on the ratio figure/peer
    for higher-is-better figures); `met` says whether it holds."""
    entry = {"measure": name, "figure": round(figure, 4), "unit": unit, "target": target}
    if peer is not None:
        entry.update(peer=peer, peerFigure=round(peer_figure, 4))
        ratio = figure / peer_figure if peer_figure else 0.0
        entry["ratio"] = round(ratio, 3)
        entry["met"] = ratio >= target if higher_is_better else ratio <= target
    else:
        entry["ratio"] = round(figure / target, 3) if target else None
        entry["met"] = figure >= target if higher_is_better else figure <= target
    entry["higherIsBetter"] = higher_is_better
    if note:
        entry["note"] = note
    return entry


def record(benchmark, description, measures, details=None):
    os.makedirs(RESULTS, exist_ok=True)
    result = {"benchmark": benchmark, "description": description, "commit": commit(),
              "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(),
              "measures": measures}
    if details:
        result["details"] = details
    with open(os.path.join(RESULTS, benchmark + ".json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    for m in measures:
        peer = f"; {m['peer']} {m['peerFigure']:,} {m['unit']}, ratio {m['ratio']}" if "peer" in m else ""
        print(f"  {m['measure']}: {m['figure']:,} {m['unit']}{peer} (target {'>=' if m['higherIsBetter'] else '<='} {m['target']}"
              f"{'' if 'peer' in m else ' ' + m['unit']}: {'met' if m['met'] else 'MISSED'})")
    return all(m["met"] for m in measures)
