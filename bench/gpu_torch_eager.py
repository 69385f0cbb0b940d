"""PyTorch on the GPU: the same zoo model, the same batches as ``BatchThroughput`` (Java).

    python3 bench/gpu_torch_eager.py --family jamba --args-file bench/jamba-bench.args \
        --text moby-dick.txt --length 256 --batches 1,32 --seconds 5 --golden DIR [--golden DIR] \
        [--arms eager,compile,hf-bamba]

Builds the model from its seeded config (``models.families.build``: the same weights the ONNX
export holds), moves it to CUDA and runs B documents segment by segment with the state carried
(``forward_segment`` + the retention policy, as ``models/runner.py``), B segments per call.
Document b starts at byte 100,000 + 20,011 b of the text, as in the Java harness. Prints one
Markdown row per (precision, batch): ms per batch and tokens/s, median of 3 rounds after 3
warm-up batches. First, the model on the GPU is checked against each ``--golden`` folder's
``whole.safetensors`` (the exported model's reference logits), so the weights are the same.

Arms (``--arms``): ``eager`` (fp32, then TF32), ``compile`` (the same segment step under
``torch.compile``, fp32, Inductor; compiled once per batch size during the warm-up, which is not
timed), ``compile-cudagraphs`` (``torch.compile`` with the ``cudagraphs`` backend), and
``hf-bamba``: a Hugging Face transformers hybrid of about the same size, ``BambaForCausalLM``
(Mamba-2 mixers with attention 1 layer in 4, like the bench model; random weights; without the
``mamba_ssm`` kernels, transformers' PyTorch path), carrying its own cache across segments
(``past_key_values``). Its attention cache keeps every past token (no window), so its documents
restart every ``--hf-segments`` segments, and the time per segment is the mean over those.
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


def zoo_step(model, batch: int, length: int, device, compiled):
    """(initial state, step(s, state) -> state) for the zoo model: one segment, state carried."""
    mask = torch.ones(batch, model.mask_past() + length, dtype=torch.int64, device=device)

    def segment(ids, positions, state):
        _, _, present = model.forward_segment(ids, mask, positions, state)
        return next_state(model, present)

    # "inductor": Inductor (torch 2.11's default) failed to generate code for the Mamba-2 cumsum when
    # it split the scan (InductorError in SplitScan codegen), so reductions are not split.
    # "cudagraphs": no code generation, the eager kernels captured and replayed as CUDA graphs.
    # That failed too, in the first (static) compile, so cumsum is left to ATen (make_fallback), and
    # the rest of the graph still goes through Inductor.
    # The cudagraphs backend replays into the same output buffers, so the carried state is cloned.
    if compiled == "inductor":
        import torch._inductor.config as inductor
        from torch._inductor import lowering
        inductor.split_reductions = False
        for overload in torch.ops.aten.cumsum.overloads():
            lowering.lowerings.pop(getattr(torch.ops.aten.cumsum, overload), None)
        lowering.make_fallback(torch.ops.aten.cumsum, warn=False, override_decomp=True)
    run = torch.compile(segment, backend=compiled) if compiled else segment

    def step(ids, s, state):
        positions = (s * length + torch.arange(length, device=device)).unsqueeze(0).expand(batch, length)
        if compiled == "cudagraphs":
            torch.compiler.cudagraph_mark_step_begin()
            return {name: tensor.clone() for name, tensor in run(ids, positions.contiguous(), state).items()}
        return run(ids, positions.contiguous(), state)

    return model.initial_state(batch, device=device), step


def bamba(config_of, parameters: int, device):
    """A transformers Bamba of the bench model's size (random weights), and its cache type.

    The bench model's MoE layers (4 experts, evaluated densely) have no counterpart in Bamba, so
    its MLP width is chosen to give about the same number of parameters."""
    from transformers import BambaConfig, BambaForCausalLM
    from transformers.models.bamba import modeling_bamba
    c = config_of
    layers = c["num_hidden_layers"]

    def config(intermediate):
        return BambaConfig(vocab_size=c["vocab_size"], hidden_size=c["hidden_size"], num_hidden_layers=layers,
                           num_attention_heads=c["num_attention_heads"], num_key_value_heads=c["num_key_value_heads"],
                           intermediate_size=intermediate, attn_layer_indices=[i for i in range(layers) if i % 4 == 2],
                           mamba_n_heads=c["hidden_size"] * 2 // 32, mamba_d_head=32, mamba_d_state=16, mamba_d_conv=4,
                           mamba_expand=2, mamba_chunk_size=256, tie_word_embeddings=False)

    def size(intermediate):
        return sum(x.numel() for x in BambaForCausalLM(config(intermediate)).parameters())

    base, slope = size(0), (size(128) - size(0)) / 128
    intermediate = max(128, round((parameters - base) / slope / 128) * 128)
    model = BambaForCausalLM(config(intermediate)).to(device).eval()
    # transformers 4.x: the caller makes a HybridMambaAttentionDynamicCache; later versions may
    # make the cache themselves when use_cache is set (then None here, and the first call's is kept).
    return model, getattr(modeling_bamba, "HybridMambaAttentionDynamicCache", None)


def transformers_version() -> str:
    import transformers
    return transformers.__version__


def hf_step(model, cache_type, batch: int, device, restart: int):
    """(initial state, step) for a transformers model carrying its cache; a new document every ``restart`` segments."""
    def fresh():
        return None if cache_type is None else cache_type(model.config, batch, dtype=torch.float32, device=device)

    def step(ids, s, cache):
        if s % restart == 0:
            cache = fresh()
        out = model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=0)
        if out.past_key_values is None:
            raise RuntimeError("the model returned no cache: it would not carry state across segments")
        return out.past_key_values

    return None, step


@torch.no_grad()
def throughput(start, step, text, batch: int, length: int, seconds: float, device) -> tuple:
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    state = start
    ids = [torch.from_numpy(segment_ids(text, batch, s, length)).to(device) for s in range(64)]
    step_with_ids = step

    def step(s, state):
        return step_with_ids(ids[s % len(ids)], s, state)

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
    p.add_argument("--arms", default="eager")
    p.add_argument("--hf-segments", type=int, default=16)
    p.add_argument("--profile", type=int, default=0,
                   help="then profile N steps of eager fp32 at the largest batch (torch.profiler, kernels by CUDA time)")
    a = p.parse_args()
    arms = a.arms.split(",")

    device = torch.device(a.device)
    model = build(a.family, **overrides(a.args_file)).to(device)
    text = np.frombuffer(a.text.read_bytes(), dtype=np.uint8)
    for folder in a.golden:
        print(f"PyTorch on {a.device} vs {folder}/whole.safetensors: "
              f"max |logits diff| {check_golden(model, folder, device):.2e}")
    print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {sum(x.numel() for x in model.parameters()):,} parameters")
    print()
    batches = [int(b) for b in a.batches.split(",")]
    cells = []
    if "eager" in arms:
        cells += [("PyTorch eager fp32", False, "zoo"), ("PyTorch eager TF32", True, "zoo")]
    if "compile" in arms:
        cells += [("PyTorch torch.compile (Inductor) fp32", False, "inductor")]
    if "compile-cudagraphs" in arms:
        cells += [("PyTorch torch.compile (backend cudagraphs) fp32", False, "cudagraphs")]
    if "hf-bamba" in arms:
        hf, cache_type = bamba(vars(model.config), sum(x.numel() for x in model.parameters()), device)
        print(f"transformers {transformers_version()} BambaForCausalLM: {sum(x.numel() for x in hf.parameters()):,} "
              f"parameters (intermediate_size {hf.config.intermediate_size})")
        with torch.no_grad():  # show that the cache carries: its length after two segments of the first batch
            start, step = hf_step(hf, cache_type, 1, device, a.hf_segments)
            ids = torch.from_numpy(segment_ids(text, 1, 0, a.length)).to(device)
            cache = step(ids, 1, step(ids, 0, start))
            print(f"  cache {type(cache).__name__}, {cache.get_seq_length()} tokens after two segments of {a.length}")
        cells += [("transformers Bamba eager fp32", False, "hf")]
    for label, tf32, kind in cells:
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        for batch in batches:
            try:
                if kind == "hf":
                    start, step = hf_step(hf, cache_type, batch, device, a.hf_segments)
                else:
                    start, step = zoo_step(model, batch, a.length, device, None if kind == "zoo" else kind)
                ms, rate = throughput(start, step, text, batch, a.length, a.seconds, device)
                print(f"| {label} | {a.family} | {a.length} | {batch} | {ms:.1f} | {rate:,.0f} |", flush=True)
            except Exception as e:  # one failed arm must not hide the others' numbers
                print(f"| {label} | {a.family} | {a.length} | {batch} | failed: {type(e).__name__}: {str(e)[:300]} | |",
                      flush=True)
    if a.profile:
        profile(model, text, max(batches), a.length, a.profile, device)


def profile(model, text, batch: int, length: int, steps: int, device) -> None:
    """The kernels of ``steps`` eager fp32 segments at ``batch``, by total CUDA time (where eager's time goes)."""
    from torch.profiler import ProfilerActivity
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    state, step = zoo_step(model, batch, length, device, None)
    ids = torch.from_numpy(segment_ids(text, batch, 0, length)).to(device)
    cuda = device.type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    with torch.no_grad():
        for s in range(3):
            state = step(ids, s, state)
        sync()
        with torch.profiler.profile(activities=[ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])) as prof:
            for s in range(steps):
                state = step(ids, 3 + s, state)
            sync()
    print(f"\nPyTorch eager fp32, batch {batch}, {steps} segments of {length}:")
    averages = prof.key_averages()
    try:
        print(averages.table(sort_by="self_device_time_total" if cuda else "self_cpu_time_total", row_limit=30))
    except (AttributeError, KeyError, ValueError):  # torch before 2.4 names it cuda
        print(averages.table(sort_by="self_cuda_time_total", row_limit=30))


if __name__ == "__main__":
    main()
