"""The committed zoo graphs in ONNX Runtime, run as the services run them (names, initial state and
retention from ``baton-model.json`` alone): segment by segment they reproduce their goldens, and
ragged batches (the schedule of test_ragged.py) give each row what the same graph gives it alone.

Needs the onnxruntime Python package, which Debian does not package: skipped here, run where it is
installed (the GPU machine's Python has it); the Java tests run the same graphs in ONNX Runtime Java.
"""
import json
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
import torch

from models import safetensors_io
from models.blocks import Retention, retain
from models.reexport import scaled_difference
from models.runner import pad_rows
from models.tests.test_ragged import BATCHES, STARTS, TOLERANCE, documents

ort = pytest.importorskip("onnxruntime", reason="the onnxruntime Python package is not installed here")

ZOO = Path(__file__).resolve().parents[1] / "zoo"
FOLDERS = sorted(p.name for p in ZOO.iterdir() if (p / "model.onnx").is_file())
GOLDEN_BOUND = 1e-4     # docs/model-contract.md: 1e-4, or 4x the goldens' own noise where larger


class PlannedGraph:
    """A zoo folder run as the services run it: names, initial state and retention from its
    ``baton-model.json`` alone, the graph in ONNX Runtime."""

    def __init__(self, folder: Path):
        self.plan = json.loads((folder / "baton-model.json").read_text())
        self.session = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        self.outputs = ["logits", "last_hidden_state", "token_nll", *[s["output"] for s in self.plan["state"]]]

    def initial_state(self) -> Dict[str, np.ndarray]:
        return {s["input"]: np.zeros([1, *s["shape"][1:]], dtype=np.float32) for s in self.plan["state"]}

    def run(self, ids, starts, lengths, targets, state, width):
        """One batch: (outputs by name, next state after each row's retention)."""
        mask = np.concatenate([np.ones((len(lengths), self.plan["mask_past"]), dtype=np.int64),
                               (np.arange(width) < np.array(lengths)[:, None]).astype(np.int64)], axis=1)
        positions = np.array(starts, dtype=np.int64)[:, None] + np.arange(width, dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "position_ids": positions, "target_ids": targets, **state}
        out = dict(zip(self.outputs, self.session.run(self.outputs, feed)))
        rows = torch.tensor(lengths)
        kept = {}
        for s in self.plan["state"]:
            policy = s["retention"]
            keep = Retention(policy["policy"], policy.get("window", 0), policy.get("pinned", 0), policy.get("axis", 2))
            kept[s["input"]] = retain(torch.from_numpy(out[s["output"]]), keep, rows).numpy()
        return out, kept


def targets_of(docs: torch.Tensor, starts: List[int], lengths: List[int], width: int) -> np.ndarray:
    """target_ids of a ragged batch: each real token's next token, -1 over the padding."""
    targets = np.full((len(starts), width), -1, dtype=np.int64)
    for b, (t0, n) in enumerate(zip(starts, lengths)):
        targets[b, :n] = docs[b, t0 + 1:t0 + 1 + n].numpy()
    return targets


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_committed_graph_runs_ragged_batches(folder):
    """Every row of the ragged batches against the same graph run on the row alone: outputs
    (token_nll too) and next states, within 1e-5 of each tensor's scale; token_nll is 0 at padding."""
    graph = PlannedGraph(ZOO / folder)
    docs, starts = documents(), list(STARTS)
    states = []
    for b, t0 in enumerate(STARTS):
        state = graph.initial_state()
        if t0:
            state = graph.run(docs[b:b + 1, :t0].numpy(), [0], [t0], targets_of(docs[b:b + 1], [0], [t0], t0),
                              state, t0)[1]
        states.append(state)
    worst = 0.0                                           # the largest difference over each tensor's scale
    for width, lengths in BATCHES:
        ids = pad_rows([docs[b, t0:t0 + n] for b, (t0, n) in enumerate(zip(starts, lengths))], width).numpy()
        targets = targets_of(docs, starts, lengths, width)
        batch_state = {k: np.concatenate([s[k] for s in states]) for k in states[0]}
        out, kept = graph.run(ids, starts, lengths, targets, batch_state, width)
        assert all(np.isfinite(out[n]).all() for n in ("logits", "last_hidden_state", "token_nll"))
        assert (out["token_nll"][targets < 0] == 0).all()
        for b, n in enumerate(lengths):
            want, states[b] = graph.run(ids[b:b + 1, :n], [starts[b]], [n], targets[b:b + 1, :n], states[b], n)
            worst = max(worst, *[scaled_difference(out[k][b, :n], want[k][0]) for k in graph.outputs[:3]],
                        *[scaled_difference(kept[k][b], v[0]) for k, v in states[b].items()])
            starts[b] += n
    assert worst <= TOLERANCE


@pytest.mark.parametrize("run", ["whole", "segments-64", "segments-ragged"])   # whole: one segment of 256
@pytest.mark.parametrize("folder", FOLDERS)
def test_the_committed_graph_reproduces_its_goldens(folder, run):
    """Segment by segment, state carried, the golden's logits and hidden states; the bound is
    1e-4, or four times the goldens' own float32 noise (segments vs whole pass) where larger."""
    graph = PlannedGraph(ZOO / folder)
    golden, _ = safetensors_io.read(ZOO / folder / "golden" / f"{run}.safetensors")
    noise = max(float(np.abs(safetensors_io.read(path)[0]["logits"] - golden["logits"]).max())
                for path in (ZOO / folder / "golden").glob("*.safetensors"))
    ids = golden["input_ids"]
    state, t0, logits, hidden = graph.initial_state(), 0, [], []
    for n in (int(n) for n in golden["segment_lengths"]):
        targets = np.full((1, n), -1, dtype=np.int64)                 # the last token predicts nothing here
        following = ids[0, t0 + 1:t0 + n + 1]
        targets[0, :len(following)] = following
        out, state = graph.run(ids[:, t0:t0 + n], [t0], [n], targets, state, n)
        logits.append(out["logits"])
        hidden.append(out["last_hidden_state"])
        t0 += n
    bound = max(GOLDEN_BOUND, 4 * noise)
    assert np.abs(np.concatenate(logits, 1) - golden["logits"]).max() <= bound
    assert np.abs(np.concatenate(hidden, 1) - golden["last_hidden_state"]).max() <= bound
