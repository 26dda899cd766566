"""Benchmark batch renders: 8 renders at `low` with --jobs 1 and --jobs 2, then the cached run.

    .venv/bin/python bench/batch_bench.py [--formats gif,mp4] [--jobs 1,2] [--keep DIR]

Each run is the real command, `attention-drift render --spec SPEC --out DIR`, in a fresh
process, timed from start to exit (wall clock): process start, spec validation and the eight
plans, the worker processes (spawn, importing manim), the renders, the summary. The timed
renders use --force, so the cache never helps them; the last run repeats the same spec into
the folder of the --jobs 2 run without --force: everything is cached.

Targets (issue #5): speed-up of --jobs 2 over --jobs 1 at least 1.7× on 2 cores; a fully
cached batch of 8 in under 2 seconds.
"""

from __future__ import annotations

import argparse
import os
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


def spec_text(formats: list[str]) -> str:
    lines = ["[defaults]", 'quality = "low"', f"formats = {formats!r}".replace("'", '"'), ""]
    for i, (sentence, target, compare) in enumerate(RENDERS):
        lines += ["[[renders]]", f'sentence = "{sentence}"', f'target = "{target}"']
        if compare:
            lines.append("compare = [" + ", ".join(f'"{c}"' for c in compare) + "]")
        lines += [f'name = "bench-{i}"', ""]
    return "\n".join(lines)


def run(spec: Path, out: Path, *extra: str) -> float:
    cmd = [str(CLI), "render", "--spec", str(spec), "--out", str(out), "--quiet", *extra]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default="gif,mp4", help="formats per render")
    parser.add_argument("--keep", type=Path, default=None, help="render into DIR, keep it")
    args = parser.parse_args()
    formats = args.formats.split(",")
    cores = len(os.sched_getaffinity(0))

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        spec = root / "bench.toml"
        spec.write_text(spec_text(formats), encoding="utf-8")
        warm = root / "warm.toml"  # one render first: page cache, font cache, .pyc files
        warm.write_text(
            spec_text(formats).split("[[renders]]")[0]
            + "[[renders]]"
            + spec_text(formats).split("[[renders]]")[1],
            encoding="utf-8",
        )
        run(warm, root / "warm", "--jobs", "1", "--force")
        one = run(spec, root / "jobs1", "--jobs", "1", "--force")
        two = run(spec, root / "jobs2", "--jobs", "2", "--force")
        cached = run(spec, root / "jobs2", "--jobs", "2")

    print(f"batch of {len(RENDERS)} renders at low, formats {'+'.join(formats)}, "
          f"{cores} cores")  # fmt: skip
    print(f"  --jobs 1          {one:7.1f} s")
    print(f"  --jobs 2          {two:7.1f} s   speed-up {one / two:.2f}×  (target ≥ 1.7×)")
    print(f"  cached (--jobs 2) {cached:7.2f} s   (target < 2 s)")


if __name__ == "__main__":
    main()
