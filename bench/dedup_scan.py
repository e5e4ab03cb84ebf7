"""Batch dedup side by side: `lokos dedup scan` and Splink 5 on one synthetic file.

    python bench/dedup_scan.py --members 1000000 --seed 13 --workdir /tmp/scan1m \\
        --splink-python /work/splink-venv/bin/python

Writes the synthetic interchange CSV and truth file (unless they are
there), then runs each engine as its own process tree, one after the other,
sampling memory every 0.5 s: the peak of the tree's summed proportional set
size (PSS, which counts pages shared by forked workers once) and of its
summed RSS. Both engines' pairs are scored against the truth with the same
code (:func:`dedup.evaluate.score`, clusters counted in full) at the same
probability cut-offs. Splink runs from its own virtual environment
(``bench/splink/requirements.txt``); without ``--splink-python`` only lokos runs.

Prints Markdown rows for bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from dedup.evaluate import read_truth, score
from dedup.synth import write_synthetic

HERE = Path(__file__).resolve().parent
CUTS = (0.05, 0.5, 0.95)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _memory_kb(pids: list[int]) -> tuple[int, int]:
    pss = rss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
    return pss, rss


@dataclass
class Run:
    wall: float
    peak_pss_mb: float
    peak_rss_mb: float
    output: str


def _measure(command: list[str]) -> Run:
    peak = [0, 0]
    # The commands are this script's own (lokos, and the Splink script we ship).
    process = subprocess.Popen(  # noqa: S603
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    start = time.perf_counter()

    def sample() -> None:
        while process.poll() is None:
            pss, rss = _memory_kb(_tree(process.pid))
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            time.sleep(0.5)  # reading smaps costs CPU the engines would use

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - start
    sampler.join()
    if process.returncode not in (0, 1):  # lokos exits 1 when rows were refused
        raise SystemExit(f"{command[0]} failed:\n{output}")
    return Run(wall, peak[0] / 1024, peak[1] / 1024, output)


def _scored(path: Path, a: str, b: str, p: str) -> list[tuple[str, str, float]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row[a], row[b], float(row[p])) for row in csv.DictReader(handle)]


def _row(
    name: str, run: Run, pairs: list[tuple[str, str, float]], truth: list[tuple[str, str]]
) -> str:
    cells = []
    for cut in CUTS:
        result = score(truth, [(a, b, "duplicate") for a, b, p in pairs if p >= cut])
        cells.append(f"{result.precision:.4f} / {result.recall:.4f} / {result.f1:.4f}")
    return (
        f"| {name} | {run.wall:.1f} s | {run.peak_pss_mb:,.0f} MB | {run.peak_rss_mb:,.0f} MB | "
        + " | ".join(cells)
        + " |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--runs", type=int, default=2, help="runs of each engine, alternating")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "lokos-scan-bench"
    )
    parser.add_argument(
        "--splink-python", help="python of a venv with bench/splink/requirements.txt"
    )
    args = parser.parse_args()
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    members, truth_path = work / f"m{args.members}.csv", work / f"m{args.members}.truth.csv"
    if not members.exists():
        for _ in write_synthetic(args.members, 0.1, args.seed, members, truth_path):
            pass
    truth = read_truth(truth_path)

    rows = []
    lokos = str(Path(sys.executable).parent / "lokos")
    ours = work / "lokos_pairs.csv"
    theirs = work / "splink_pairs.csv"
    splink = str(HERE / "splink" / "splink_scan.py")
    for number in range(1, args.runs + 1):  # alternating, so drift hits both alike
        run = _measure([lokos, "dedup", "scan", "--input", str(members), "--output", str(ours)])
        print(run.output.strip().splitlines()[-1])
        pairs = _scored(ours, "member_ref_a", "member_ref_b", "score")
        rows.append(_row(f"lokos dedup scan, run {number}", run, pairs, truth))
        if args.splink_python:
            run = _measure(
                [args.splink_python, splink, "--input", str(members), "--output", str(theirs)]
            )
            print(run.output.strip().splitlines()[-1])
            pairs = _scored(theirs, "member_ref_l", "member_ref_r", "match_probability")
            rows.append(_row(f"Splink 5 (DuckDB), run {number}", run, pairs, truth))

    true_pairs = score(truth, []).true_pairs
    print(
        f"\n{args.members:,} rows, seed {args.seed}, {true_pairs:,} true pairs (clusters in full)"
    )
    header = " | ".join(f"P / R / F1 at {cut}" for cut in CUTS)
    print(f"| engine | wall | peak PSS | peak RSS | {header} |")
    print("|---|---|---|---|" + "---|" * len(CUTS))
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
