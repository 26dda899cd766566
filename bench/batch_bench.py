"""Benchmark batch renders: 8 renders at `low` with --jobs 1 and --jobs 2, then the cached run.

    .venv/bin/python bench/batch_bench.py [--formats gif,mp4] [--renders 8] [--keep DIR]

Each run is the real command, `attention-drift render --spec SPEC --out DIR`, in a fresh
process, timed from start to exit (wall clock): process start, spec validation and the eight
plans, the worker processes (spawn, importing manim), the renders, the summary. The timed
renders use --force, so the cache never helps them; the last run repeats the same spec into
the folder of the --jobs 2 run without --force: everything is cached.

Targets (issue #5): speed-up of --jobs 2 over --jobs 1 at least 1.7× on 2 cores; a fully
cached batch of 8 in under 2 seconds.

The speed-up needs the cores to be free: before the runs, two processes that only count
measure how much parallel room there is ("parallel capacity": 2.0× on two idle cores), and
the load average is printed before and after, so a figure taken next to other work can be
told from one taken on a quiet machine. CPU seconds (user + system, of all the processes of
a run) are printed too: they do not depend on what else runs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("attention-drift")

# Eight renders with MiniLM's vectors (the default), one or two sentences each.
RENDERS = [
    ("He sat on the river bank.", "bank", ["He deposited cash at the bank."]),
    ("The bat flew out of the cave at dusk.", "bat", []),
    ("He swung the bat and hit the ball.", "bat", []),
    ("In spring the flowers bloom.", "spring", ["The spring in the old mattress broke."]),
    ("Interest rates at the bank rose again.", "bank", []),
    ("The crane lifted steel beams onto the roof.", "crane", []),
    ("A crane waded through the shallow marsh.", "crane", []),
    ("She read the novel by the light of the lamp.", "light", []),
]


def spec_text(formats: list[str], renders: int = len(RENDERS)) -> str:
    lines = ["[defaults]", 'quality = "low"', f"formats = {formats!r}".replace("'", '"'), ""]
    for i, (sentence, target, compare) in enumerate(RENDERS[:renders]):
        lines += ["[[renders]]", f'sentence = "{sentence}"', f'target = "{target}"']
        if compare:
            lines.append("compare = [" + ", ".join(f'"{c}"' for c in compare) + "]")
        lines += [f'name = "bench-{i}"', ""]
    return "\n".join(lines)


def run(spec: Path, out: Path, *extra: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and its workers)."""
    cmd = [str(CLI), "render", "--spec", str(spec), "--out", str(out), "--quiet", *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def _count(n: int) -> None:
    x = 0
    for i in range(n):
        x += i


def parallel_capacity(n: int = 6_000_000) -> float:
    """How many cores' worth two CPU-bound processes get right now (2.0 on two idle cores)."""
    ctx = multiprocessing.get_context("spawn")

    def timed(workers: int) -> float:
        procs = [ctx.Process(target=_count, args=(n,)) for _ in range(workers)]
        start = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        return time.perf_counter() - start

    one = timed(1)
    return 2 * one / timed(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="gif,mp4", help="formats per render")
    parser.add_argument("--keep", type=Path, default=None, help="render into DIR, keep it")
    parser.add_argument(
        "--renders", type=int, default=len(RENDERS), help="the first N renders (smoke test: 2)"
    )
    args = parser.parse_args()
    formats = args.formats.split(",")
    cores = len(os.sched_getaffinity(0))

    load_before = os.getloadavg()[0]
    capacity = parallel_capacity()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        spec = root / "bench.toml"
        spec.write_text(spec_text(formats, args.renders), encoding="utf-8")
        warm = root / "warm.toml"  # one render first: page cache, font cache, .pyc files
        warm.write_text(
            spec_text(formats).split("[[renders]]")[0]
            + "[[renders]]"
            + spec_text(formats).split("[[renders]]")[1],
            encoding="utf-8",
        )
        run(warm, root / "warm", "--jobs", "1", "--force")
        one, one_cpu = run(spec, root / "jobs1", "--jobs", "1", "--force")
        two, two_cpu = run(spec, root / "jobs2", "--jobs", "2", "--force")
        cached, _ = run(spec, root / "jobs2", "--jobs", "2")

    n = min(args.renders, len(RENDERS))
    print(f"batch of {n} renders at low, formats {'+'.join(formats)}, {cores} cores")
    print(f"  --jobs 1          {one:7.1f} s   CPU {one_cpu:6.1f} s")
    print(
        f"  --jobs 2          {two:7.1f} s   speed-up {one / two:.2f}×  (target ≥ 1.7×)   "
        f"CPU {two_cpu:6.1f} s"
    )
    print(f"  cached (--jobs 2) {cached:7.2f} s   (target < 2 s)")
    print(
        f"  parallel capacity before the runs {capacity:.2f}× (2.00× = two idle cores); "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
    )


if __name__ == "__main__":
    main()
