"""PyTorch eager on the GPU: the same zoo model, the same batches as ``BatchThroughput`` (Java).

    python3 bench/gpu_torch_eager.py --family jamba --args-file bench/jamba-bench.args \
        --text moby-dick.txt --length 256 --batches 1,32 --seconds 5 --golden DIR [--golden DIR]

Builds the model from its seeded config (``models.families.build``: the same weights the ONNX
export holds), moves it to CUDA and runs B documents segment by segment with the state carried
(``forward_segment`` + the retention policy, as ``models/runner.py``), B segments per call.
Document b starts at byte 100,000 + 20,011 b of the text, as in the Java harness. Prints one
Markdown row per (precision, batch): ms per batch and tokens/s, median of 3 rounds after 3
warm-up batches. First, the model on the GPU is checked against each ``--golden`` folder's
``whole.safetensors`` (the exported model's reference logits), so the weights are the same.
"""
from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from models import safetensors_io  # noqa: E402
from models.families import build  # noqa: E402
from models.runner import next_state  # noqa: E402


def overrides(args_file: Path) -> dict:
    words = shlex.split(args_file.read_text())
    out = {}
    for flag, value in zip(words[::2], words[1::2]):
        if flag != "--set":
            raise ValueError(f"{args_file}: expected --set KEY=VALUE, got {flag}")
        key, raw = value.split("=", 1)
        out[key] = int(raw) if raw.lstrip("-").isdigit() else float(raw)
    return out


def document_start(b: int) -> int:
    return 100_000 + 20_011 * b


def segment_ids(text: np.ndarray, batch: int, step: int, length: int) -> np.ndarray:
    rows = [text[(document_start(b) + step * length + np.arange(length)) % len(text)] for b in range(batch)]
    return np.stack(rows).astype(np.int64)


@torch.no_grad()
def check_golden(model, folder: Path, device) -> float:
    tensors, _ = safetensors_io.read(folder / "whole.safetensors")
    ids = torch.from_numpy(tensors["input_ids"]).to(device)
    want = torch.from_numpy(tensors["logits"]).to(device)
    got, _ = model(ids)
    return (got.float() - want).abs().max().item()


@torch.no_grad()
def throughput(model, text, batch: int, length: int, seconds: float, device) -> tuple:
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    state = model.initial_state(batch, device=device)
    mask = torch.ones(batch, model.mask_past() + length, dtype=torch.int64, device=device)
    ids = [torch.from_numpy(segment_ids(text, batch, s, length)).to(device) for s in range(64)]

    def step(s, state):
        positions = (s * length + torch.arange(length, device=device)).unsqueeze(0).expand(batch, length)
        _, _, present = model.forward_segment(ids[s % len(ids)], mask, positions.contiguous(), state)
        return next_state(model, present)

    s = 0
    for _ in range(3):
        state = step(s, state)
        s += 1
    rates, millis = [], []
    for _ in range(3):
        sync()
        start = time.perf_counter()
        runs = 0
        while True:
            state = step(s, state)
            s += 1
            runs += 1
            sync()
            if time.perf_counter() - start >= seconds:
                break
        elapsed = time.perf_counter() - start
        rates.append(runs * batch * length / elapsed)
        millis.append(1e3 * elapsed / runs)
    return statistics.median(millis), statistics.median(rates)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--family", required=True)
    p.add_argument("--args-file", type=Path, required=True)
    p.add_argument("--text", type=Path, required=True)
    p.add_argument("--length", type=int, default=256)
    p.add_argument("--batches", default="1,32")
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--golden", type=Path, action="append", default=[])
    p.add_argument("--device", default="cuda")
    a = p.parse_args()

    device = torch.device(a.device)
    model = build(a.family, **overrides(a.args_file)).to(device)
    text = np.frombuffer(a.text.read_bytes(), dtype=np.uint8)
    for folder in a.golden:
        print(f"PyTorch on {a.device} vs {folder}/whole.safetensors: "
              f"max |logits diff| {check_golden(model, folder, device):.2e}")
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {sum(x.numel() for x in model.parameters()):,} parameters")
    print()
    for label, tf32 in (("PyTorch eager fp32", False), ("PyTorch eager TF32", True)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        for batch in (int(b) for b in a.batches.split(",")):
            ms, rate = throughput(model, text, batch, a.length, a.seconds, device)
            print(f"| {label} | {a.family} | {a.length} | {batch} | {ms:.1f} | {rate:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
