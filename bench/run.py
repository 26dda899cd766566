"""The speed story in one table, measured in one run on one machine.

    .venv/bin/python bench/run.py            # progress on stderr, the markdown on stdout
    .venv/bin/python bench/run.py --readme   # also rewrite README.md's "Performance" block

What it measures (each in a fresh process where start-up or peak memory matter; the peak is
``ru_maxrss`` of that process and the processes it waited for, i.e. the largest one):

* the default render, exactly the post's figure as ``./render.sh`` makes it (blog GIF + MP4 at
  medium, two sentences), through the command line into an empty folder: wall time from
  process start to exit, after set-up (warm page cache, compiled .pyc files; target < 10 s);
* seconds per second of video of the post's figure as a GIF alone and as a 1080p60 MP4
  alone (whole commands), against issue 13's 0.71 and 2.59 s (target: half of those);
* DriftScene's rendering speed (frames per second of the pass, imports excluded) at low
  (480p15) and high (1080p60), and for the GIF alone (800×450, 10 fps, with its palette);
* the overhead over Manim's floor: the same pass (`scenes.app.media.passes.movie_pass`, the same
  configuration) with a minimal scene that moves one dot for the same duration, resolution
  and frame rate; the ratio of the two render times (target ≤ 2.0);
* the tweak loop: a still of a new sentence in a fresh process (target < 3.5 s), the still
  of an edited spec entry in a warm ``render --spec --watch`` (target < 2 s), and
  ``./render.sh`` with every output up to date (target < 1 s);
* the test suite's wall time: the fast subset (``-m "not slow"``, target < 60 s) and the
  whole suite (target < 8 min), with their pass / fail counts (``--no-suite`` skips them);
* the GIF's bytes per second of animation, against the post's hand-made GIF (800×450,
  10 fps, 24.8 s, 2.1 MB: 86 KB/s; target: ours at most half of that per second), and
  against the same lossless frames encoded by ffmpeg without a palette pass;
* cold start of ``attention-drift --help`` (target < 0.5 s) and ``attention-drift plan``
  (target < 1.5 s; manim must not be imported, checked with ``-X importtime``);
* the numpy MiniLM encoder against transformers + torch (bench/model_bench.py's workers);
* one render on every core: the figure as a 1080p60 and a 4K MP4 (whole commands), serial
  (``--jobs 1``) against chunked (``--jobs CORES``, ``scenes.app.media.chunks``), per
  video-second and their ratio, with their CPU seconds (which do not depend on the load) and
  the parallel capacity free at the start (cores, load average, two counting processes' share of two
  cores); target: chunked ≥ 1.6× on 2 cores;
* the batch figures (bench/batch_bench.py), when that benchmark is there: --jobs 1 and 2,
  their CPU seconds, the capacity free before them.

``--only parallel`` measures the last two alone (``--only chunks``: the chunks alone), and
with ``--readme`` rewrites only their rows of the README's table; ``--only parallel
--smoke`` checks in a minute or two that they come out (480p15, a batch of 2; not a
measurement).

KB is 1000 bytes. The whole run takes 5 to 10 minutes on the 2-core machine it was written
for (the whole test suite is half of it); timings on a shared machine vary by some per cent
from run to run.
"""

from __future__ import annotations

import time

_T_START = time.perf_counter()  # before the heavy imports of a worker

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("attention-drift")
README = REPO / "README.md"
START_MARK = "<!-- bench:start -->"
END_MARK = "<!-- bench:end -->"

RIVER = "He sat on the river bank."
CASH = "He deposited cash at the bank."
# The post's figure, as render.sh makes it (its FIGURE array).
FIGURE = ["render", RIVER, "--target", "bank", "--compare", CASH,
          "--format", "gif", "--format", "mp4"]  # fmt: skip
POST_GIF = {"width": 800, "height": 450, "fps": 10, "seconds": 24.8, "bytes": 2.1e6}
POST_BYTES_PER_S = 86_000  # the figure: 2.1 MB over 24.8 s
OLD_PER_VIDEO_S = {"gif": 0.71, "high": 2.59}  # issue 13: s per second of video, before
NEW_SENTENCE = "The old fisherman walked slowly along the muddy river bank."
TARGETS = {
    "floor_ratio": 2.0, "help_s": 0.5, "plan_s": 1.5, "gif_ratio": 2.0, "default_s": 10.0,
    "gif_bytes_s": 12_000, "cold_still_s": 3.5, "watch_still_s": 2.0, "noop_s": 1.0,
    "fast_suite_s": 60.0, "suite_s": 480.0,
}  # fmt: skip


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# running and measuring processes


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    returncode: int
    cpu_s: float = 0.0  # user + system, of the process and the descendants it waited for


def measure(cmd: list[str], timeout: float = 600, **kwargs: Any) -> Measured:
    """Run `cmd`; its wall time and the peak RSS of it and its waited-for descendants."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, **kwargs)
        deadline = start + timeout
        while True:  # os.wait4 gives this child's own rusage (not every child's, as getrusage)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
        out.seek(0)
        err.seek(0)
        cpu_s = usage.ru_utime + usage.ru_stime
        return Measured(seconds, usage.ru_maxrss / 1024, out.read(), err.read(), proc.returncode,
                        cpu_s)  # fmt: skip


def checked(result: Measured, what: str) -> Measured:
    if result.returncode != 0:
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    return result


def worker(name: str, env: dict[str, str] | None = None, **args: Any) -> dict[str, Any]:
    """Run this file's worker `name` in a fresh process; its JSON result (+ process s, MB)."""
    cmd = [sys.executable, __file__, "--worker", name, "--args", json.dumps(args)]
    result = checked(measure(cmd, cwd=REPO, env=env), f"worker {name} {args}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    data.update(process_s=result.seconds, peak_mb=result.peak_mb)
    return data


def probe(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames,width,height:format=duration", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    data = json.loads(out)
    s = data["streams"][0]
    return {
        "frames": int(s["nb_read_frames"]),
        "size": (s["width"], s["height"]),
        "duration": float(data["format"]["duration"]),
    }


# --------------------------------------------------------------------------------------------
# workers (each runs in its own process)


def _figure_plan() -> Any:
    from attention_math import build_plan

    return build_plan(RIVER, "bank", compare=[CASH])


def _dot_scene(seconds: float) -> type:
    """Manim's floor: one dot moving for `seconds`, nothing else."""
    from manim import RIGHT, Dot, Scene, linear

    class DotScene(Scene):
        def construct(self) -> None:
            dot = Dot()
            self.add(dot)
            self.play(dot.animate.shift(4 * RIGHT), run_time=seconds, rate_func=linear)

    return DotScene


def worker_pass(quality: str, scene: str, seconds: float = 0.0) -> dict[str, Any]:
    """One pass of the default figure's plan: `scene` is "drift" or "dot".

    quality: a name of scenes.app.media.passes.QUALITY (an MP4), or "gif" (a GIF alone: drawn at
    800×450, 10 fps, then its palette pass; also encoded without one, for comparison).
    """
    import scenes.app.media.passes as passes
    from scenes.job import SceneJob
    from scenes.theme import PALETTES

    plan = _figure_plan()
    if scene == "dot":
        dot = _dot_scene(seconds)
        passes.scene_class = lambda name: dot  # the same pass, only the scene differs
    if quality == "gif":
        size, fps, outputs = passes.GIF_SIZE, passes.GIF_FPS, ["gif"]
    else:
        width, height, fps = passes.QUALITY[quality]
        size, outputs = (width, height), ["mp4"]
    import manim  # noqa: F401  (imported before the clock starts, for both scenes)

    passes.scene_class("DriftScene")  # and the scene's module
    imported = time.perf_counter() - _T_START
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        job = SceneJob(plan)  # the dark theme
        files = passes.movie_pass(job, "DriftScene", Path(tmp), size, fps, outputs)
        render_s = time.perf_counter() - start
        movie = files[outputs[0]]
        facts = probe(movie)
        result = {"render_s": render_s, "import_s": imported, "fps": fps, **facts}
        if quality == "gif" and scene == "drift":
            result["palette_bytes"] = movie.stat().st_size
            plain = Path(tmp) / "plain.gif"
            lossless = Path(tmp) / "gif-frames.mov"  # the pass's 800×450 intermediate
            passes.encode_gif(lossless, plain, PALETTES["dark"].background, optimise=False)
            result["plain_bytes"] = plain.stat().st_size
    return result


def worker_plan_imports() -> dict[str, Any]:
    """Does `attention-drift plan` import manim? Asked of the real command (-X importtime)."""
    cmd = [sys.executable, "-X", "importtime", "-m", "scenes.app", "plan", RIVER,
           "--target", "bank"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=REPO)
    names = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()
             if line.startswith("import time:")]  # fmt: skip
    heavy = sorted({n.split(".")[0] for n in names} & {"manim", "torch", "transformers"})
    return {"modules": len(names), "heavy": heavy}


WORKERS: dict[str, Callable[..., dict[str, Any]]] = {
    "pass": worker_pass,
    "plan_imports": worker_plan_imports,
}


# --------------------------------------------------------------------------------------------
# the measurements


def machine() -> list[str]:
    """The machine, in a few lines of markdown list."""

    def first(path: str, pattern: str) -> str:
        try:
            text = Path(path).read_text()
        except OSError:
            return "?"
        m = re.search(pattern, text, re.M)
        return m.group(1).strip() if m else "?"

    cpu = first("/proc/cpuinfo", r"^model name\s*:\s*(.+)$")
    mem_kb = first("/proc/meminfo", r"^MemTotal:\s*(\d+)")
    ram = f"{int(mem_kb) / 1024**2:.1f} GiB" if mem_kb.isdigit() else "?"
    os_name = first("/etc/os-release", r'^PRETTY_NAME="?([^"\n]+)')
    cores = len(os.sched_getaffinity(0))
    blas = "?"
    try:
        import numpy
        import threadpoolctl

        info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        blas = ", ".join(
            f"{i['internal_api']} {i['version']} ({i.get('architecture')}, "
            f"{i['num_threads']} threads)"
            for i in info
        )
        blas = f"numpy {numpy.__version__} with {blas or 'no BLAS found'}"
    except ImportError:
        pass
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    versions = []
    for package in ("manim", "torch", "transformers"):
        try:
            from importlib.metadata import version

            versions.append(f"{package} {version(package)}")
        except Exception:
            versions.append(f"{package} not installed")
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout
    ffmpeg_version = ffmpeg.split()[2] if ffmpeg else "?"
    return [
        f"- CPU: {cpu}, {cores} cores (os.cpu_count {os.cpu_count()}); RAM {ram}",
        f"- OS: {os_name}, Linux {platform.release()}; Python {platform.python_version()}",
        f"- BLAS: {blas}; OPENBLAS_CORETYPE " + (f"= {coretype}" if coretype else "not set"),
        f"- {', '.join(versions)}, ffmpeg {ffmpeg_version}",
    ]


def cold_start(runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, args in (("help", ["--help"]), ("plan", ["plan", RIVER, "--target", "bank"])):
        measure([str(CLI), *args], cwd=REPO)  # warm-up: page cache, .pyc
        times = [checked(measure([str(CLI), *args], cwd=REPO), key).seconds
                 for _ in range(runs)]  # fmt: skip
        out[key] = (statistics.median(times), min(times), max(times))
    out["imports"] = worker("plan_imports")
    return out


def default_render() -> dict[str, Any]:
    """The post's figure into an empty folder, after set-up: `./render.sh`'s set-up renders
    this very figure, so the user's text caches hold its texts (a first render in a fresh
    cache folder, `cold_seconds`, also pays for building every text once)."""
    with tempfile.TemporaryDirectory() as tmp:
        cache = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        cmd = [str(CLI), *FIGURE, "--quiet"]
        cold = checked(measure([*cmd, "--out", str(Path(tmp) / "cold")], cwd=REPO, env=cache),
                       "the default render, empty caches")  # fmt: skip
        out = Path(tmp) / "out"
        result = checked(measure([*cmd, "--out", str(out)], cwd=REPO, env=cache),
                         "the default render")  # fmt: skip
        gif = next(out.glob("*.gif"))
        mp4 = next(out.glob("*.mp4"))
        return {
            "seconds": result.seconds,
            "cold_seconds": cold.seconds,
            "peak_mb": result.peak_mb,
            "gif_bytes": gif.stat().st_size,
            "gif": probe(gif),
            "mp4_bytes": mp4.stat().st_size,
            "mp4": probe(mp4),
        }


def per_video_second() -> dict[str, dict[str, float]]:
    """The post's figure as a GIF alone and as a 1080p60 MP4 alone: whole commands (start-up,
    plan, render, encoding), seconds per second of video."""
    out = {}
    for key, args in (("gif", ["--format", "gif"]), ("high", ["--format", "mp4", "--quality",
                                                               "high"])):  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [str(CLI), "render", RIVER, "--target", "bank", "--compare", CASH, *args,
                   "--out", tmp, "--quiet"]  # fmt: skip
            result = checked(measure(cmd, cwd=REPO), f"the figure as {key}")
            movie = next(Path(tmp).glob("*.gif" if key == "gif" else "*.mp4"))
            video_s = probe(movie)["duration"]
        out[key] = {"seconds": result.seconds, "video_s": video_s,
                    "per_s": result.seconds / video_s}  # fmt: skip
    return out


def capacity() -> dict[str, float]:
    """The parallel capacity free right now: the cores this process may use, the load
    average, and how many cores' worth two CPU-bound processes get (2.0 on two idle cores;
    bench/batch_bench.py's measure)."""
    from batch_bench import parallel_capacity

    return {"cores": len(os.sched_getaffinity(0)), "load": os.getloadavg()[0],
            "capacity": parallel_capacity()}  # fmt: skip


def chunked(qualities: tuple[str, ...] = ("high", "4k"), smoke: bool = False) -> dict[str, Any]:
    """The figure as a 1080p60 and a 4K MP4 (whole commands): serial (--jobs 1) against
    chunked on every core (--jobs CORES, scenes.app.media.chunks); seconds and CPU seconds per
    second of video, their ratio, and the load average before each run. `smoke`: the river
    sentence alone (a check that the rows come out, not a measurement)."""
    out: dict[str, Any] = {"free": capacity(), "qualities": list(qualities), "smoke": smoke}
    out["cores"] = out["free"]["cores"]
    compare = [] if smoke else ["--compare", CASH]
    for quality in qualities:
        row: dict[str, Any] = {}
        cores = str(max(2, out["cores"]))  # chunked on every core (without --jobs: when 3 free)
        for key, jobs in (("serial", ["--jobs", "1"]), ("chunked", ["--jobs", cores])):
            with tempfile.TemporaryDirectory() as tmp:
                cmd = [str(CLI), "render", RIVER, "--target", "bank", *compare, "--format",
                       "mp4", "--quality", quality, *jobs, "--out", tmp, "--quiet"]  # fmt: skip
                load = os.getloadavg()[0]
                result = checked(measure(cmd, timeout=1800, cwd=REPO), f"{quality} {key}")
                video_s = probe(next(Path(tmp).glob("*.mp4")))["duration"]
            row[key] = {"seconds": result.seconds, "per_s": result.seconds / video_s,
                        "cpu_per_s": result.cpu_s / video_s, "load": load}  # fmt: skip
        row["speedup"] = row["serial"]["per_s"] / row["chunked"]["per_s"]
        out[quality] = row
    return out


def spread(times: list[float]) -> dict[str, float]:
    """The median of repeated timings, with the fastest and the slowest."""
    return {"median": statistics.median(times), "min": min(times), "max": max(times)}


def cold_still(runs: int) -> dict[str, Any]:
    """A still of a sentence not rendered before, each in a fresh process and folder."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [str(CLI), "render", NEW_SENTENCE, "--target", "bank", "--format", "png",
                   "--quality", "low", "--out", tmp, "--quiet"]  # fmt: skip
            times.append(checked(measure(cmd, cwd=REPO), "the cold still").seconds)
    return spread(times)


WATCH_SPEC = """\
[defaults]
quality = "low"
formats = ["gif"]

[[renders]]
sentence = "{sentence}"
target = "bank"
name = "tweak"
"""
WATCH_EDITS = [
    "He sat on the river bank.",
    "She rested on the grassy river bank.",
    "The fisherman waited on the quiet river bank.",
]


class Watcher:
    """`render --spec SPEC --watch` in a subprocess (in SPEC's folder), its stderr in a file."""

    def __init__(self, spec: Path, timeout: float) -> None:
        self.log = spec.with_name("stderr.txt")
        self.timeout = timeout
        with open(self.log, "w") as err:
            self.proc = subprocess.Popen([str(CLI), "render", "--spec", spec.name, "--watch"],
                                         cwd=spec.parent, stdout=subprocess.DEVNULL,
                                         stderr=err)  # fmt: skip

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def rounds(self) -> int:
        """How many rounds the watcher has finished ("watching" after each)."""
        return sum("watching" in line for line in self.lines())

    def wait(self, n_rounds: int) -> None:
        deadline = time.monotonic() + self.timeout
        while self.rounds() < n_rounds:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"--watch did not finish a round:\n{self.log.read_text()}")
            time.sleep(0.05)

    def stop(self) -> int | None:
        """Ctrl-C, as a user stops it; its exit code, or None if it had to be killed."""
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return None


def time_edit(watcher: Watcher, spec: Path, sentence: str, n_rounds: int) -> dict[str, Any]:
    """Edit the spec's sentence and time the watcher's round `n_rounds`: the still as it
    times it, the seconds until the still's plan is on disk, and until the round is done."""
    preview = spec.parent / "out" / "preview" / "tweak.plan.json"
    before = len(watcher.lines())
    spec.write_text(WATCH_SPEC.format(sentence=sentence))
    start = time.perf_counter()
    still_at = None
    while watcher.rounds() < n_rounds:
        if still_at is None and sentence in preview.read_text(errors="replace"):
            still_at = time.perf_counter() - start
        if watcher.proc.poll() is not None or time.perf_counter() - start > watcher.timeout:
            raise SystemExit(f"--watch stopped:\n{watcher.log.read_text()}")
        time.sleep(0.02)
    round_s = time.perf_counter() - start
    new = watcher.lines()[before:]
    said = [float(m.group(1)) for line in new
            if (m := re.match(r"still of .* in ([\d.]+) s", line))]  # fmt: skip
    return {"still_s": said[0] if said else None, "to_disk_s": still_at, "round_s": round_s,
            "restarted": any("restarting" in line for line in new)}  # fmt: skip


def watch_loop(timeout: float = 240) -> dict[str, Any]:
    """`render --spec --watch` in a subprocess: the first round, then edits of the spec; the
    still of each edit as the watcher timed it ("still of ... in N s"), the seconds from the
    edit until the still is on disk, and until the round is done."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.toml"
        spec.write_text(WATCH_SPEC.format(sentence=NEW_SENTENCE))
        watcher = Watcher(spec, timeout)
        try:
            watcher.wait(1)
            edits = [time_edit(watcher, spec, sentence, i)
                     for i, sentence in enumerate(WATCH_EDITS, start=2)]  # fmt: skip
            # An edit that changes no entry (a comment): a round that finds it all up to date.
            spec.write_text(WATCH_SPEC.format(sentence=WATCH_EDITS[-1]) + "# a comment\n")
            start = time.perf_counter()
            watcher.wait(len(WATCH_EDITS) + 2)
            nothing_s = time.perf_counter() - start
        finally:
            code = watcher.stop()
    stills = [e["still_s"] for e in edits if e["still_s"] is not None and not e["restarted"]]
    return {"edits": edits, "still_median": statistics.median(stills) if stills else None,
            "nothing_s": nothing_s, "exit": code}  # fmt: skip


def noop_render_sh(runs: int) -> dict[str, Any]:
    """`./render.sh` with everything up to date (the first run makes it so, into out/)."""
    script = REPO / "render.sh"
    checked(measure([str(script)], cwd=REPO, timeout=900), "./render.sh (to bring out/ up to date)")
    times = [checked(measure([str(script)], cwd=REPO), "./render.sh").seconds
             for _ in range(runs)]  # fmt: skip
    return spread(times)


def suite() -> dict[str, Any]:
    """The test suite's wall time: the fast subset, then the whole suite."""
    out: dict[str, Any] = {}
    for key, args in (("fast", ["-m", "not slow"]), ("whole", [])):
        say(f"test suite: {key}")
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
        result = measure(cmd, timeout=3600, cwd=REPO)
        tail = (result.stdout.strip().splitlines() or [""])[-1]
        counts = dict((k, int(n)) for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped)",
                                                           tail))  # fmt: skip
        out[key] = {"seconds": result.seconds, "counts": counts, "line": tail.strip("= ")}
    return out


def passes() -> dict[str, dict[str, Any]]:
    """DriftScene and the one-dot floor, pass by pass. Both in one cache folder of their own,
    each pass once before it is timed: the figure as a user re-renders it (its texts built
    and kept, as Manim keeps a hand-made scene's SVGs in its media folder)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": tmp}
        for quality in ("low", "high", "gif"):
            say(f"DriftScene, {quality} pass")
            worker("pass", env, quality=quality, scene="drift")
            drift = worker("pass", env, quality=quality, scene="drift")
            seconds = drift["frames"] / drift["fps"]
            say(f"one moving dot, {quality} pass, {seconds:.2f} s")
            worker("pass", env, quality=quality, scene="dot", seconds=seconds)
            dot = worker("pass", env, quality=quality, scene="dot", seconds=seconds)
            out[quality] = {"drift": drift, "dot": dot}
    return out


def model_versus_transformers(runs: int, repeats: int) -> dict[str, Any] | str:
    try:
        import importlib.util

        if importlib.util.find_spec("torch") is None or (
            importlib.util.find_spec("transformers") is None
        ):
            return "skipped: torch / transformers not installed (requirements-reference.txt)"
        sys.path.insert(0, str(REPO / "bench"))
        import model_bench
    except ImportError as exc:
        return f"skipped: {exc}"
    ids = model_bench.tokenize()
    results: dict[str, list[dict[str, float]]] = {"numpy": [], "transformers": []}
    for _ in range(runs):  # interleaved, as model_bench does
        for name in results:
            results[name].append(model_bench.run_worker(name, ids, repeats))
    return {
        name: {
            "load_s": statistics.median(r["load_s"] for r in rs),
            "forward_ms": statistics.median(r["forward_ms"] for r in rs),
            "peak_mb": max(r["peak_rss_mb"] for r in rs),
        }
        for name, rs in results.items()
    } | {"sentences": len(ids), "runs": runs, "repeats": repeats}


def batch(timeout: float, renders: int = 8) -> dict[str, Any] | str:
    script = REPO / "bench" / "batch_bench.py"
    if not script.is_file():
        return "skipped: bench/batch_bench.py is not there"
    if timeout < 60:
        return "skipped: not enough of the 10-minute budget left"
    cmd = [sys.executable, str(script), "--renders", str(renders)]
    result = measure(cmd, timeout=timeout, cwd=REPO)
    if result.seconds >= timeout:
        return f"skipped: did not finish in the {timeout:.0f} s left of the budget"
    if result.returncode != 0:
        return f"failed (exit {result.returncode}): {result.stderr.strip()[-300:]}"
    text = result.stdout
    found = {
        key: re.search(pattern, text, re.M)
        for key, pattern in {
            "title": r"^(batch of .+)$",
            "one": r"--jobs 1\s+([\d.]+) s\s+CPU\s+([\d.]+) s",
            "two": r"--jobs 2\s+([\d.]+) s\s+speed-up ([\d.]+).*CPU\s+([\d.]+) s",
            "cached": r"cached \(--jobs 2\)\s+([\d.]+) s",
        }.items()
    }
    if not all(found.values()):
        say("bench/batch_bench.py printed:\n" + text)
        return "output not understood (printed on stderr)"
    m = {k: v for k, v in found.items() if v is not None}
    return {
        "title": m["title"].group(1),
        "renders": renders,
        "one_s": float(m["one"].group(1)),
        "one_cpu": float(m["one"].group(2)),
        "two_s": float(m["two"].group(1)),
        "speedup": float(m["two"].group(2)),
        "two_cpu": float(m["two"].group(3)),
        "cached_s": float(m["cached"].group(1)),
        "process_s": result.seconds,
        # how much of two cores was free before the runs (newer batch_bench.py prints it)
        "capacity": float(c.group(1))
        if (c := re.search(r"parallel capacity before the runs ([\d.]+)", text))
        else None,
    }


# --------------------------------------------------------------------------------------------
# the table


Row = tuple[str, str, str]  # measurement, result, target (and whether it is met)
QUALITY_NAMES = {"low": "low 480p15 MP4", "high": "high 1080p60 MP4",
                 "gif": "GIF alone 800×450 10 fps"}  # fmt: skip


def kb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1000:.1f} KB"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def timing_row(label: str, median: float, low: float, high: float, target: float) -> Row:
    """A row of a repeated timing: its median (min–max) against a target in seconds."""
    return (
        label,
        f"{median:.2f} s ({low:.2f}–{high:.2f})",
        f"< {target:g} s: {verdict(median < target)}",
    )


def render_rows(r: dict[str, Any]) -> list[Row]:
    """The default render (time, memory), and the figure's seconds per second of video."""
    d = r["default"]
    rows = [(
        "default render: the post's figure, blog GIF + MP4 (`./render.sh`, medium), wall time "
        "after set-up",
        f"{d['seconds']:.1f} s",
        f"< {TARGETS['default_s']:.0f} s: {verdict(d['seconds'] < TARGETS['default_s'])}",
    ), (
        "default render, the first in an empty cache folder (every text built once)",
        f"{d['cold_seconds']:.1f} s", "",
    ), ("default render: peak memory (largest process)", f"{d['peak_mb']:.0f} MB", "")]  # fmt: skip
    for key, label in (("gif", "the post's figure as the 800×450 GIF alone"),
                       ("high", "the post's figure as a 1080p60 MP4 alone")):  # fmt: skip
        v, old = r["per_s"][key], OLD_PER_VIDEO_S[key]
        rows.append((
            f"{label} (whole command, {v['video_s']:.1f} s of video): seconds per second of "
            f"video, against {old} before",
            f"{v['per_s']:.2f} s ({v['seconds']:.1f} s; {old / v['per_s']:.1f}× faster)",
            f"≤ {old / 2:.3f}: {verdict(v['per_s'] <= old / 2)}",
        ))  # fmt: skip
    return rows


def pass_rows(passes: dict[str, dict[str, Any]]) -> list[Row]:
    """DriftScene's frames per second and its overhead over the one-dot floor, per pass."""
    rows: list[Row] = []
    for quality, p in passes.items():
        drift, dot = p["drift"], p["dot"]
        fps = drift["frames"] / drift["render_s"]
        rows.append((
            f"DriftScene rendering, {QUALITY_NAMES[quality]} ({drift['frames']} frames)",
            f"{fps:.1f} frames/s ({drift['render_s']:.1f} s)",
            "",
        ))  # fmt: skip
        ratio = drift["render_s"] / dot["render_s"]
        rows.append((
            f"overhead over Manim's floor, {QUALITY_NAMES[quality]}: DriftScene / one moving dot "
            f"({dot['frames']} frames, {dot['render_s']:.1f} s)",
            f"{ratio:.2f}×",
            f"≤ {TARGETS['floor_ratio']:.1f}: {verdict(ratio <= TARGETS['floor_ratio'])}",
        ))  # fmt: skip
    return rows


def gif_rows(r: dict[str, Any]) -> list[Row]:
    """The GIF's bytes per second, against the post's GIF and ffmpeg's plain GIF encoder."""
    d, gif = r["default"], r["passes"]["gif"]["drift"]
    per_s = d["gif_bytes"] / d["gif"]["duration"]
    ratio = POST_BYTES_PER_S / per_s
    plain_ratio = gif["plain_bytes"] / gif["palette_bytes"]
    return [(
        f"GIF of the default render: {d['gif']['size'][0]}×{d['gif']['size'][1]}, 10 fps, "
        f"{d['gif']['duration']:.1f} s, {kb(d['gif_bytes'])} (scaled from the 720p30 pass)",
        f"{kb(per_s)}/s",
        f"≤ {kb(TARGETS['gif_bytes_s'])}/s: {verdict(per_s <= TARGETS['gif_bytes_s'])}",
    ), (
        "post's hand-made GIF (800×450, 10 fps, 24.8 s, 2.1 MB = 86 KB/s) / ours, per second",
        f"{ratio:.1f}×",
        f"≥ {TARGETS['gif_ratio']:.0f}: {verdict(ratio >= TARGETS['gif_ratio'])}",
    ), (
        "GIF alone: the same frames without the palette pass (ffmpeg's plain GIF encoder) / "
        "ours, bytes",
        f"{plain_ratio:.1f}× ({kb(gif['plain_bytes'])} vs {kb(gif['palette_bytes'])})",
        "",
    )]  # fmt: skip


def cold_rows(r: dict[str, Any]) -> list[Row]:
    """Cold starts of `--help` and `plan` (and what `plan` imports), and a cold still."""
    c, cs = r["cold"], r["cold_still"]
    heavy = c["imports"]["heavy"]
    return [
        timing_row(f"`attention-drift --help` cold start (median of {r['cold_runs']}, min–max)",
                   *c["help"], TARGETS["help_s"]),
        timing_row("`attention-drift plan` cold start (MiniLM, one sentence; median, min–max)",
                   *c["plan"], TARGETS["plan_s"]),
        ("modules `attention-drift plan` imports; manim / torch / transformers among them",
         f"{c['imports']['modules']}; {', '.join(heavy) if heavy else 'none'}",
         f"no manim: {verdict('manim' not in heavy)}"),
        timing_row(f"a still of a new sentence, cold (`render \"…\" --format png --quality low`, "
                   f"a fresh process; median of {r['cold_runs_still']}, min–max)",
                   cs["median"], cs["min"], cs["max"], TARGETS["cold_still_s"]),
    ]  # fmt: skip


def watch_rows(w: dict[str, Any] | str) -> list[Row]:
    """The warm tweak loop of `render --spec --watch` (or why it was not measured)."""
    if isinstance(w, str):
        return [("`render --spec --watch`", w, "")]
    shown = "; ".join(
        f"{e['still_s']:.2f} s" + (" (after a restart)" if e["restarted"] else "")
        for e in w["edits"] if e["still_s"] is not None
    )  # fmt: skip
    med = w["still_median"]
    on_disk = "; ".join(
        f"{e['to_disk_s']:.1f} / {e['round_s']:.1f} s"
        for e in w["edits"]
        if e["to_disk_s"] is not None
    )
    return [(
        "`render --spec --watch`: the still of an edited entry, warm (as the watcher "
        "times it; each edit)",
        shown,
        f"< {TARGETS['watch_still_s']} s: "
        + (verdict(med < TARGETS['watch_still_s']) if med is not None else "n/a"),
    ), ("`--watch`: from saving the spec to the new still on disk / to its GIF too",
        on_disk, ""),
       ("`--watch`: an edit that changes no entry (a comment), until it says so",
        f"{w['nothing_s']:.2f} s", "")]  # fmt: skip


def model_rows(m: dict[str, Any] | str) -> list[Row]:
    """The numpy MiniLM against transformers: forward, load, memory (or why not measured)."""
    if isinstance(m, str):
        return [("numpy MiniLM vs transformers (bench/model_bench.py)", m, "")]
    np_, tf = m["numpy"], m["transformers"]
    return [(
        f"MiniLM forward, one sentence, all hidden states + attentions (median, "
        f"{m['sentences']} sentences): numpy vs transformers",
        f"{np_['forward_ms']:.1f} vs {tf['forward_ms']:.1f} ms "
        f"(transformers / numpy: {tf['forward_ms'] / np_['forward_ms']:.2f}×)",
        "",
    ), (
        "MiniLM load in a new process (imports + weights): numpy vs transformers",
        f"{np_['load_s']:.2f} vs {tf['load_s']:.2f} s",
        "",
    ), (
        "MiniLM peak memory: numpy vs transformers",
        f"{np_['peak_mb']:.0f} vs {tf['peak_mb']:.0f} MB",
        "",
    )]  # fmt: skip


def batch_rows(b: dict[str, Any] | str) -> list[Row]:
    """bench/batch_bench.py's figures: --jobs 1, --jobs 2, all cached (or why not measured)."""
    if isinstance(b, str):
        return [("batch (bench/batch_bench.py)", b.splitlines()[0], "")]
    return [(f"{b['title']}: --jobs 1", f"{b['one_s']:.1f} s (CPU {b['one_cpu']:.1f} s)", ""), (
        "batch: --jobs 2, speed-up over --jobs 1",
        f"{b['two_s']:.1f} s, {b['speedup']:.2f}× (CPU {b['two_cpu']:.1f} s"
        + (f"; parallel capacity {b['capacity']:.2f}× of 2)" if b["capacity"] else ")"),
        f"≥ 1.7×: {verdict(b['speedup'] >= 1.7)}",
    ), (
        f"batch: the same {b.get('renders', 8)} again, all cached",
        f"{b['cached_s']:.2f} s",
        f"< 2 s: {verdict(b['cached_s'] < 2)}",
    )]  # fmt: skip


CHUNK_LABELS = {"high": "1080p60", "4k": "4K 60 fps", "low": "480p15 (smoke: not chunked)"}
CHUNK_ROW = "MP4, s per video-second: --jobs 1 vs chunked"  # in every chunk row (--readme)


def chunk_rows(c: dict[str, Any] | str) -> list[Row]:
    """One render on every core: serial against chunked, 1080p60 and 4K, with the CPU
    seconds (which do not depend on the load) and the capacity free at the start."""
    if isinstance(c, str):
        return [("one render on every core (chunks)", c, "")]
    free = c["free"]
    rows: list[Row] = []
    for quality in c["qualities"]:
        q = c[quality]
        what = "the river sentence" if c["smoke"] else "the figure"
        rows.append((
            f"{what} as a {CHUNK_LABELS.get(quality, quality)} {CHUNK_ROW} ({free['cores']} "
            f"cores; at the start load {free['load']:.1f}, parallel capacity "
            f"{free['capacity']:.2f}× of 2; load before each run)",
            f"{q['serial']['per_s']:.2f} vs {q['chunked']['per_s']:.2f} s, "
            f"{q['speedup']:.2f}× (CPU {q['serial']['cpu_per_s']:.2f} vs "
            f"{q['chunked']['cpu_per_s']:.2f} s; load {q['serial']['load']:.1f} / "
            f"{q['chunked']['load']:.1f})",
            f"≥ 1.6×: {verdict(q['speedup'] >= 1.6)}",
        ))  # fmt: skip
    return rows


def suite_rows(st: dict[str, Any] | str) -> list[Row]:
    """The test suite's wall times, the fast subset and the whole (or why not measured)."""
    if isinstance(st, str):
        return [("test suite", st, "")]
    rows: list[Row] = []
    for key, label, target in (("fast", 'fast subset (`pytest -m "not slow"`)', "fast_suite_s"),
                               ("whole", "whole suite (`pytest`)", "suite_s")):  # fmt: skip
        t = st[key]
        limit = TARGETS[target]
        rows.append((
            f"test suite, {label}: {t['line']}",
            f"{t['seconds']:.0f} s",
            f"< {limit:.0f} s: {verdict(t['seconds'] < limit)}",
        ))  # fmt: skip
    return rows


def table(r: dict[str, Any]) -> list[str]:
    """The measurements of a run (`r`, as `main` collects them) as a markdown table."""
    n = r["noop"]
    rows = [
        *render_rows(r),
        *pass_rows(r["passes"]),
        *gif_rows(r),
        *cold_rows(r),
        *watch_rows(r["watch"]),
        timing_row("`./render.sh` with every output up to date (median of 5, min–max)",
                   n["median"], n["min"], n["max"], TARGETS["noop_s"]),
        *model_rows(r["model"]),
        *chunk_rows(r["chunks"]),
        *batch_rows(r["batch"]),
        *suite_rows(r["suite"]),
    ]  # fmt: skip
    lines = ["| measurement | result | target |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b_} | {c_} |" for a, b_, c_ in rows]
    return lines


def report(r: dict[str, Any]) -> str:
    return "\n".join([
        f"Measured by `python bench/run.py` in one run of {r['total_s'] / 60:.1f} minutes "
        f"({time.strftime('%Y-%m-%d', time.gmtime())}) on:",
        "",
        *r["machine"],
        f"- load average (1 min) {r['load'][0]:.2f} at the start, {r['load'][1]:.2f} at the "
        "end: other work on the machine slows the timings",
        "",
        *table(r),
        "",
        "Frames per second and the floor ratio time the pass alone (Manim drawing, ffmpeg "
        "encoding; imports and the plan excluded); the floor is the same pass with a scene "
        "that moves one dot for the same duration, resolution and frame rate. The default "
        "render, the per-video-second figures, the stills and the cold starts are whole "
        "processes. One pass feeds every raster format: the default render draws the figure "
        "once at 720p30 and ffmpeg makes the MP4 and the GIF from those frames, on the "
        "second core while Manim draws. At 480p15 and the GIF size, where drawing a frame is "
        "cheap, what DriftScene adds to the floor is mostly its text labels: each is built "
        "once (Pango, SVG parsing) and kept in the user cache, and every use is a copy "
        "unpickled in half a millisecond (scenes/texts.py), so timings are with that cache "
        "warm, as after any first render; at 1080p60 drawing and encoding pixels dominate. "
        "A batch's speed-up over --jobs 1 needs a free second core, which one render "
        "already half uses (ffmpeg beside Manim) and other work on a shared machine takes "
        "(the parallel capacity says how much was free before the runs; the CPU seconds "
        "bench/batch_bench.py prints do not depend on it).",
    ]) + "\n"  # fmt: skip


def rewrite_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if readme.count(START_MARK) != 1 or readme.count(END_MARK) != 1:
        raise SystemExit(f"README.md needs one {START_MARK} and one {END_MARK} line")
    head, rest = readme.split(START_MARK)
    _, tail = rest.split(END_MARK)
    README.write_text(f"{head}{START_MARK}\n{text}{END_MARK}{tail}", encoding="utf-8")
    say("README.md: Performance block rewritten")


def parallel_rows(only: str, smoke: bool) -> list[Row]:
    """--only chunks (serial against chunked, 1080p60 and 4K) or --only parallel (and the
    batch at --jobs 1 and 2); `smoke`: at 480p15, the river sentence, a batch of 2."""
    say("one render on every core: --jobs 1 against chunked" + (" (smoke)" if smoke else ""))
    rows = chunk_rows(chunked(("low",) if smoke else ("high", "4k"), smoke))
    if only == "parallel":
        say("batch (bench/batch_bench.py)" + (" of 2 renders (smoke)" if smoke else ""))
        rows += batch_rows(batch(timeout=1800, renders=2 if smoke else 8))
    return rows


def rewrite_rows(rows: list[Row]) -> None:
    """README's Performance table with these rows in place of the ones they measure again
    (the chunk rows; the batch rows too when given), the others kept as they are."""
    readme = README.read_text(encoding="utf-8")
    if readme.count(START_MARK) != 1 or readme.count(END_MARK) != 1:
        raise SystemExit(f"README.md needs one {START_MARK} and one {END_MARK} line")
    head, rest = readme.split(START_MARK)
    block, tail = rest.split(END_MARK)
    batch = any(r[0].startswith("batch") for r in rows)

    def replaced(line: str) -> bool:
        return CHUNK_ROW in line or (batch and line.startswith("| batch"))

    lines = block.split("\n")
    at = next((i for i, x in enumerate(lines) if replaced(x)), None)
    if at is None:  # not there yet: before the test suite's rows, or at the table's end
        at = next((i for i, x in enumerate(lines) if x.startswith("| test suite")),
                  max(i for i, x in enumerate(lines) if x.startswith("|")) + 1)  # fmt: skip
    kept = [x for x in lines[:at] if not replaced(x)]
    new = [f"| {a} | {b_} | {c_} |" for a, b_, c_ in rows]
    lines = kept + new + [x for x in lines[at:] if not replaced(x)]
    README.write_text(f"{head}{START_MARK}{chr(10).join(lines)}{END_MARK}{tail}", encoding="utf-8")
    say(f"README.md: {len(new)} rows of the Performance table rewritten")


def only(part: str, smoke: bool, readme: bool) -> None:
    """`--only PART`: its rows printed (and written into README's table with `readme`)."""
    load = os.getloadavg()[0]
    rows = parallel_rows(part, smoke)
    print(f"load average (1 min) {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    print("\n".join(f"| {a} | {b_} | {c_} |" for a, b_, c_ in rows))
    if readme:
        rewrite_rows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="rewrite README's block too")
    parser.add_argument("--cold-runs", type=int, default=5, help="runs per cold-start timing")
    parser.add_argument("--model-runs", type=int, default=3, help="processes per encoder")
    parser.add_argument("--model-repeats", type=int, default=10, help="forwards per sentence")
    parser.add_argument("--budget", type=float, default=900, help="seconds before the batch")
    parser.add_argument("--no-suite", dest="suite", action="store_false",
                        help="skip the test suite's timings")  # fmt: skip
    parser.add_argument("--only", choices=["chunks", "parallel"],
                        help="measure one part alone: chunks (serial vs chunked, 1080p60 and "
                        "4K), parallel (those and the batch at --jobs 1 and 2); with --readme, "
                        "only their rows of the table are rewritten")  # fmt: skip
    parser.add_argument("--smoke", action="store_true",
                        help="with --only: tiny renders, to check the rows come out (not a "
                        "measurement; never written to the README)")  # fmt: skip
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--args", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        result = WORKERS[args.worker](**json.loads(args.args))
        print(json.dumps(result))
        return
    if args.only:  # this part alone (its rows, the load average)
        if args.smoke and args.readme:
            parser.error("--smoke rows are not measurements: leave --readme out")
        only(args.only, args.smoke, args.readme)
        return

    start = time.perf_counter()
    load = os.getloadavg()[0]
    r: dict[str, Any] = {"machine": machine(), "cold_runs": args.cold_runs}
    say("cold starts of --help and plan")
    r["cold"] = cold_start(args.cold_runs)
    say("the default render (GIF + MP4, medium)")
    r["default"] = default_render()
    say("the figure as a GIF alone and as a 1080p60 MP4 alone")
    r["per_s"] = per_video_second()
    r["passes"] = passes()
    say("a cold still of a new sentence")
    r["cold_runs_still"] = 3
    r["cold_still"] = cold_still(3)
    say("render --spec --watch")
    try:
        r["watch"] = watch_loop()
    except SystemExit as exc:
        r["watch"] = f"failed: {' '.join(str(exc).split())[:200]}"
    say("./render.sh with nothing to do")
    r["noop"] = noop_render_sh(5)
    say("numpy MiniLM vs transformers")
    r["model"] = model_versus_transformers(args.model_runs, args.model_repeats)
    say("one render on every core: --jobs 1 against chunked, 1080p60 and 4K")
    r["chunks"] = chunked()
    left = args.budget - (time.perf_counter() - start)
    say(f"batch (bench/batch_bench.py), {left:.0f} s of the budget left")
    r["batch"] = batch(timeout=left)
    r["suite"] = suite() if args.suite else "skipped (--no-suite)"
    r["total_s"] = time.perf_counter() - start
    r["load"] = (load, os.getloadavg()[0])
    text = report(r)
    print(text, end="")
    if args.readme:
        rewrite_readme(text)


if __name__ == "__main__":
    main()
