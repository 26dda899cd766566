"""Where a render's CPU goes: the Manim/Python processes against the ffmpeg processes.

    .venv/bin/python bench/cpu_profile.py [--quality high] [--jobs 1,2] [--compare]

One pass (`passes.movie_pass`, an MP4) of the figure's plan, in a fresh process per run,
serially (--jobs 1) and in chunks (--jobs N, `scenes.app.media.chunks`). CPU seconds (user +
system) are counted, not wall time: they do not depend on what else runs on the machine.

- Python, this process: Manim drawing (and the count pass, and the feeding of the chunks'
  frames into the sink), from getrusage(RUSAGE_SELF) around the pass;
- every ffmpeg, by role, through a shim on PATH that runs the real one under /usr/bin/time:
  "x264" (the sink's encoder, fed RGBA through a pipe), "rle" (a chunk's lossless RLE
  writer), "decode" (a chunk's RLE read back as RGBA);
- Python, the chunks' worker processes: every descendant's CPU (getrusage
  RUSAGE_CHILDREN, once they are reaped) less the ffmpegs.

Per second of video, and the chunked run's total against the serial one's. The figure is
the post's (river bank, compared with cash: 20.1 s of video); --short renders the river
sentence alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHIM = """#!/bin/sh
case "$*" in
  *pipe:0*libx264*) role=x264 ;;
  *pipe:0*qtrle*) role=rle ;;
  *pipe:1*) role=decode ;;
  *) role=other ;;
esac
exec /usr/bin/time -a -o "$CPU_PROFILE_LOG" -f "$role %U %S" {ffmpeg} "$@"
"""


def cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def worker(quality: str, jobs: int, short: bool) -> dict[str, Any]:
    """One pass in this process; CPU seconds by part (the ffmpegs' from the shim's log)."""
    import functools

    from attention_math import build_plan
    from scenes.app.media import chunks, passes

    plan = build_plan("He sat on the river bank.", "bank",
                      compare=[] if short else ["He deposited cash at the bank."])  # fmt: skip
    width, height, fps = passes.QUALITY[quality]
    passes.scene_class("DriftScene")  # imports (manim, the scene) before the count starts
    pass_fn = None if jobs == 1 else functools.partial(chunks.chunked_frames, jobs=jobs)
    with tempfile.TemporaryDirectory() as tmp:
        self0 = cpu(resource.getrusage(resource.RUSAGE_SELF))
        kids0 = cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
        start = time.perf_counter()
        files = passes.movie_pass(plan, "DriftScene", "dark", Path(tmp), (width, height), fps,
                                  ["mp4"], pass_fn=pass_fn)  # fmt: skip
        wall = time.perf_counter() - start
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                              "-of", "csv=p=0", str(files["mp4"])],
                             capture_output=True, text=True, check=True).stdout  # fmt: skip
    return {
        "python_main": cpu(resource.getrusage(resource.RUSAGE_SELF)) - self0,
        "descendants": cpu(resource.getrusage(resource.RUSAGE_CHILDREN)) - kids0,
        "wall": wall,
        "video_s": float(out),
        "load": os.getloadavg()[0],
    }


def profile(quality: str, jobs: int, short: bool) -> dict[str, float]:
    """A fresh process running `worker`, with the ffmpeg shim first on PATH."""
    with tempfile.TemporaryDirectory() as tmp:
        shim = Path(tmp) / "ffmpeg"
        real = shutil.which("ffmpeg")
        shim.write_text(SHIM.format(ffmpeg=real))
        shim.chmod(0o755)
        log = Path(tmp) / "cpu.log"
        env = {**os.environ, "PATH": f"{tmp}:{os.environ['PATH']}", "CPU_PROFILE_LOG": str(log)}
        args = json.dumps({"quality": quality, "jobs": jobs, "short": short})
        cmd = [sys.executable, __file__, "--worker", args]
        done = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the pass failed:\n{done.stderr[-3000:]}")
        result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
        roles: dict[str, float] = {}
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] in ("x264", "rle", "decode", "other"):  # role user sys
                roles[parts[0]] = roles.get(parts[0], 0.0) + float(parts[1]) + float(parts[2])
    ffmpeg = sum(roles.values())
    result.update({f"ffmpeg_{k}": v for k, v in roles.items()})
    result["python_workers"] = max(0.0, result.pop("descendants") - ffmpeg)
    result["total"] = result["python_main"] + result["python_workers"] + ffmpeg
    return result


def table(runs: dict[int, dict[str, float]]) -> str:
    parts = ["python_main", "python_workers", "ffmpeg_x264", "ffmpeg_rle", "ffmpeg_decode",
             "ffmpeg_other", "total"]  # fmt: skip
    lines = ["| CPU s per video-second | " + " | ".join(f"--jobs {j}" for j in runs) + " |",
             "| --- |" + " --- |" * len(runs)]  # fmt: skip
    for part in parts:
        cells = [f"{r.get(part, 0.0) / r['video_s']:.3f}" for r in runs.values()]
        lines.append(f"| {part} | " + " | ".join(cells) + " |")
    lines.append("| (wall s, load avg; not comparable on a shared machine) | "
                 + " | ".join(f"{r['wall']:.1f}, {r['load']:.1f}" for r in runs.values())
                 + " |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", default="high", help="low, medium, high or 4k")
    parser.add_argument("--jobs", default="1,2", help="comma-separated: 1 is serial")
    parser.add_argument("--short", action="store_true", help="the river sentence alone")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(**json.loads(args.worker))))
        return
    runs = {}
    for jobs in (int(j) for j in args.jobs.split(",")):
        print(f"cpu_profile: {args.quality}, --jobs {jobs}", file=sys.stderr, flush=True)
        runs[jobs] = profile(args.quality, jobs, args.short)
    print(f"{args.quality}, cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    print(table(runs))
    if len(runs) > 1:
        base = runs[min(runs)]["total"] / runs[min(runs)]["video_s"]
        for jobs, r in runs.items():
            print(f"--jobs {jobs}: total CPU {r['total'] / r['video_s'] / base:.2f}× --jobs 1's")


if __name__ == "__main__":
    main()
