"""The tool where users run it besides the command: a Jupyter kernel and `python -m`.

docs/notebook.ipynb (committed without outputs) is executed by nbclient in a real ipykernel
from a temporary folder: it builds a plan, prints its weights, renders a low MP4 and shows
it. The outputs are checked against a plan built here (the printed weights) and the files
on disk (the video element embeds the MP4 with its poster and captions track).
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TOML_VECTORS, needs_module

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
RIVER, CASH = "He sat on the river bank.", "He deposited cash at the bank."


def test_notebook_is_committed_without_outputs() -> None:
    import json

    doc = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in doc["cells"] if c["cell_type"] == "code"]
    assert code and all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.slow
def test_notebook_runs_in_a_kernel(tmp_path: Path) -> None:
    nbformat = needs_module("nbformat")
    nbclient = needs_module("nbclient")
    needs_module("ipykernel")
    from attention_math.request import PlanRequest, make_plan

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError naming the cell if any cell fails

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    # the weights, from a plan built here with the same request
    plan = make_plan(PlanRequest(RIVER, "bank", compare=(CASH,)))
    for s in plan.sentences:
        terms = [
            f"{w:.2f}·{s.words[i].text}"
            for i, w in zip(s.final.words, s.final.weights, strict=True)
        ]
        assert f"bank′ = {' + '.join(terms)}" in printed
    assert "0." in printed and printed.count("bank′ = ") == 2

    (shown,) = [o for o in outputs if o.output_type == "execute_result" and "text/html" in o.data]
    page = shown.data["text/html"]
    (mp4,) = list((tmp_path / "out").glob("*.mp4"))
    assert mp4.with_name(mp4.stem + ".plan.json").is_file()
    video = re.search(r"<video [^>]*>", page)
    assert video is not None and "controls" in video.group(0)
    src = re.search(r'src="data:video/mp4;base64,([^"]+)"', video.group(0))
    assert src is not None and base64.b64decode(src.group(1)) == mp4.read_bytes()
    assert 'poster="data:image/png;base64,' in video.group(0)
    track = re.search(r'<track kind="captions" default src="data:text/vtt;base64,([^"]+)"', page)
    assert track is not None
    vtt = base64.b64decode(track.group(1)).decode("utf-8")
    assert vtt == mp4.with_suffix(".vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "bank′ = " in vtt


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scenes.app", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    vectors = tmp_path / "v.toml"
    vectors.write_text(TOML_VECTORS, encoding="utf-8")
    help_ = run_module("--help", cwd=tmp_path)
    assert help_.returncode == 0 and "render" in help_.stdout and "plan" in help_.stdout
    out = run_module("plan", RIVER, "--target", "bank", "--embeddings", str(vectors), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    import json

    plan = json.loads(out.stdout)
    weights = plan["sentences"][0]["steps"][-1]["weights"]
    assert abs(sum(weights) - 1) < 1e-9
    bad = run_module("plan", RIVER, "--target", "banks", "--embeddings", str(vectors), cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.startswith("Error: ") and "Traceback" not in bad.stderr
