"""What every benchmark records: `benchmarks/results/NAME.json`, one file per benchmark, read by
`scripts/bench` to write the README's table (never typed by hand).

A result has the commit it was measured at (a clean one: `record()` refuses a tree with source
changes, so a figure always belongs to code anyone can check out), the date, the machine, and one or
more measures. A measure keeps every sample (one per run), their spread (min, median, max, N) and,
with a peer, the peer's samples from the same runs. A target is met only when the worst run meets
it: with a peer, the worst of the per-run ratios (each run's figure against the peer's in that run).
A peer marked `floor` is the physical floor (the least any client can do for that work); the README
says so beside it. `record()` also prints the measures, so a benchmark run by hand shows what it wrote.
"""
import datetime
import json
import os
import platform
import statistics
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
    """The commit measured, or None when the tree has source changes (results and the README's
    table are what benchmarks write: not source changes)."""
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", ".", ":!benchmarks/results", ":!README.md"],
                           capture_output=True, text=True).stdout.strip()
    return None if dirty else head


def spread(samples):
    return {"min": round(min(samples), 4), "median": round(statistics.median(samples), 4), "max": round(max(samples), 4), "n": len(samples)}


def measure(name, samples, unit, target, *, peer=None, peer_samples=None, higher_is_better=False, floor=False, note=""):
    """One measure from its samples (one per run). `target` is a limit on the figure or, with a
    peer, on the ratio figure/peer; it is met only when every run meets it."""
    samples = list(samples)
    assert samples, f"{name}: no samples"
    entry = {"measure": name, "figure": round(statistics.median(samples), 4), "unit": unit, "target": target,
             "samples": [round(s, 4) for s in samples], "spread": spread(samples)}
    worse = min if higher_is_better else max
    if peer is not None:
        peer_samples = list(peer_samples)
        assert len(peer_samples) == len(samples), f"{name}: {len(samples)} samples against {len(peer_samples)} of the peer's"
        ratios = [s / p if p else 0.0 for s, p in zip(samples, peer_samples)]
        entry.update(peer=peer, peerFloor=floor, peerFigure=round(statistics.median(peer_samples), 4),
                     peerSamples=[round(s, 4) for s in peer_samples], peerSpread=spread(peer_samples),
                     ratio=round(statistics.median(ratios), 3), worstRatio=round(worse(ratios), 3))
        worst = entry["worstRatio"]
    else:
        entry["ratio"] = round(entry["figure"] / target, 3) if target else None
        worst = worse(samples)
        entry["worst"] = round(worst, 4)
    entry["met"] = worst >= target if higher_is_better else worst <= target
    entry["higherIsBetter"] = higher_is_better
    if note:
        entry["note"] = note
    return entry


def record(benchmark, description, measures, details=None):
    measured = commit()
    if measured is None and os.environ.get("FLEETDECK_BENCH_DIRTY") != "1":
        raise SystemExit(f"{benchmark}: the tree has source changes; commit them first (a result names the commit it measured). "
                         "FLEETDECK_BENCH_DIRTY=1 runs it anyway and prints without recording.")
    for m in measures:
        n = m["spread"]["n"]
        if "peer" in m:
            shown = (f"{m['figure']:,} {m['unit']} (min {m['spread']['min']:,}, max {m['spread']['max']:,}, N {n}); {m['peer']} {m['peerFigure']:,}; "
                     f"ratio {m['ratio']}, worst {m['worstRatio']}")
        else:
            shown = f"{m['figure']:,} {m['unit']} (min {m['spread']['min']:,}, max {m['spread']['max']:,}, N {n}); worst {m['worst']:,}"
        sign = ">=" if m["higherIsBetter"] else "<="
        print(f"  {m['measure']}: {shown} (target {sign} {m['target']}{'' if 'peer' in m else ' ' + m['unit']}, worst run: "
              f"{'met' if m['met'] else 'MISSED'})")
    if measured is None:
        print(f"  (not recorded: source changes in the tree)")
        return all(m["met"] for m in measures)
    os.makedirs(RESULTS, exist_ok=True)
    result = {"benchmark": benchmark, "description": description, "commit": measured,
              "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(),
              "measures": measures}
    if details:
        result["details"] = details
    with open(os.path.join(RESULTS, benchmark + ".json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    return all(m["met"] for m in measures)
