"""Language-model training over consecutive segments with the state carried.

    python3 -m models.train --family jamba --tokens .train-carry/tokens.npz --run-dir runs/jamba \
        --set hidden_size=256 --batch 64 --seq-len 256 --steps 4000 --max-minutes 8 [--resume]

Each of ``batch`` streams reads whole documents, one after another (a seeded shuffle per
epoch), ``seq-len`` tokens at a time, and runs every segment through the segment path
(``forward_segment``) from the state the stream's previous segment left: truncated
backpropagation through the state (the state is detached between segments, so gradients stay
inside one segment while the forward computation is the whole-document one). A stream that
starts a new document starts from the zero state, as the runner does. A document's last
segment is padded; padded targets are ignored.

AdamW with linear warm-up and cosine decay, bf16 autocast on CUDA, gradient clipping.
``run-dir`` gets ``checkpoint.pt`` (model, optimizer, schedule, stream positions, the carried
state, RNG: ``--resume`` continues exactly), ``log.csv`` (training loss per logged step) and
``eval.jsonl`` (validation bits per byte with the state carried and reset at every segment).
Runs on torch 1.13 (CPU) and 2.x (CUDA).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .blocks import HybridLM, State
from .families import FAMILIES, build
from .runner import next_state
from .train_data import TokenData, source_of

IGNORE = -100
LN2 = math.log(2.0)


@dataclass
class RunConfig:
    family: str
    model: Dict[str, object] = field(default_factory=dict)   # config overrides of the family
    batch: int = 32
    seq_len: int = 256
    steps: int = 2000              # length of the schedule (training may stop earlier, then resume)
    warmup: int = 100
    lr: float = 2e-3
    min_lr_ratio: float = 0.1
    weight_decay: float = 0.1
    betas: Tuple[float, float] = (0.9, 0.95)
    grad_clip: float = 1.0
    dropout: float = 0.0           # on every projection that writes into the residual stream
    eval_every: int = 250
    eval_batch: int = 32
    log_every: int = 10
    checkpoint_every: int = 500
    seed: int = 0
    best_source: str = ""          # keep the weights best on this validation source (default: on all of it)


# ----------------------------------------------------------------------------------------------
# Streams of consecutive segments
# ----------------------------------------------------------------------------------------------

class Streams:
    """``batch`` rows, each reading documents segment by segment; documents are dealt to rows
    from one seeded order per epoch. The whole position is ``state_dict()``."""

    def __init__(self, docs: List[np.ndarray], batch: int, seq_len: int, seed: int):
        self.docs = [d for d in docs if len(d) >= 2]
        if not self.docs:
            raise ValueError("no document has two tokens")
        self.batch, self.seq_len, self.seed = batch, seq_len, seed
        self.epoch, self.next_doc = 0, 0
        self.row_doc = [-1] * batch
        self.row_pos = [0] * batch

    def order(self, epoch: int) -> np.ndarray:
        return np.random.default_rng([self.seed, epoch]).permutation(len(self.docs))

    def _deal(self) -> int:
        if self.next_doc == len(self.docs):
            self.epoch, self.next_doc = self.epoch + 1, 0
        doc = int(self.order(self.epoch)[self.next_doc])
        self.next_doc += 1
        return doc

    def next_batch(self) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(input ids [B, T], targets [B, T], positions [B, T], starts a document [B])."""
        b, t = self.batch, self.seq_len
        x = np.zeros((b, t), dtype=np.int64)
        y = np.full((b, t), IGNORE, dtype=np.int64)
        pos = np.zeros((b, t), dtype=np.int64)
        fresh = np.zeros(b, dtype=bool)
        for r in range(b):
            if self.row_doc[r] < 0 or self.row_pos[r] + 1 >= len(self.docs[self.row_doc[r]]):
                self.row_doc[r], self.row_pos[r], fresh[r] = self._deal(), 0, True
            doc, p = self.docs[self.row_doc[r]], self.row_pos[r]
            seg = doc[p:p + t]
            tgt = doc[p + 1:p + t + 1]
            x[r, :len(seg)] = seg
            y[r, :len(tgt)] = tgt
            pos[r] = p + np.arange(t)
            self.row_pos[r] = p + t
        return x, y, pos, fresh

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "next_doc": self.next_doc, "row_doc": list(self.row_doc),
                "row_pos": list(self.row_pos), "seed": self.seed, "documents": len(self.docs)}

    def load_state_dict(self, sd: dict) -> None:
        if sd["documents"] != len(self.docs) or sd["seed"] != self.seed:
            raise ValueError("the checkpoint was made over other data or another seed")
        self.epoch, self.next_doc = sd["epoch"], sd["next_doc"]
        self.row_doc, self.row_pos = list(sd["row_doc"]), list(sd["row_pos"])


# ----------------------------------------------------------------------------------------------
# Model, optimiser, schedule
# ----------------------------------------------------------------------------------------------

def make_model(cfg: RunConfig, vocab_size: int) -> HybridLM:
    overrides = dict(cfg.model)
    overrides["vocab_size"] = vocab_size
    return build(cfg.family, **overrides).train()


RESIDUAL_WRITERS = ("o", "out_proj", "down")      # attention output, Mamba/conv output, feed-forward output


def add_residual_dropout(model: HybridLM, p: float) -> int:
    """Dropout on the outputs of the projections that write into the residual stream, as
    forward hooks: the family code is untouched and an exported (eval-mode) model has none.
    Returns how many projections got it."""
    if p <= 0:
        return 0
    hooked = 0
    for name, module in model.named_modules():
        if isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] in RESIDUAL_WRITERS:
            module.register_forward_hook(lambda mod, inputs, out: F.dropout(out, p, mod.training))
            hooked += 1
    return hooked


def load(path: Path, device=None) -> dict:
    """A checkpoint written by this module (trusted: it holds optimizer and run state)."""
    return torch.load(path, map_location=device, weights_only=False)


def make_optimizer(model: HybridLM, cfg: RunConfig) -> torch.optim.Optimizer:
    """AdamW; weight decay on matrices and embeddings only (not norms, biases, SSM scalars)."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                              {"params": rest, "weight_decay": 0.0}], lr=cfg.lr, betas=cfg.betas)


def lr_factor(step: int, cfg: RunConfig) -> float:
    """Linear warm-up to 1, then cosine down to ``min_lr_ratio`` at ``steps``; flat after."""
    if step < cfg.warmup:
        return (step + 1) / cfg.warmup
    progress = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def autocast(device: torch.device):
    if device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return torch.autocast(device_type="cpu", enabled=False)


def segment_mask(model: HybridLM, batch: int, length: int, device) -> torch.Tensor:
    return torch.ones(batch, model.mask_past() + length, dtype=torch.int64, device=device)


def carry(model: HybridLM, present: State) -> State:
    """The next segment's past: retention applied, detached (truncated backpropagation), fp32."""
    return {k: v.detach().float() for k, v in next_state(model, present).items()}


def zero_rows(state: State, rows: torch.Tensor) -> State:
    """Zero the state of the rows that start a new document."""
    keep = (~rows).float()
    return {k: v * keep.view(-1, *([1] * (v.dim() - 1))) for k, v in state.items()}


# ----------------------------------------------------------------------------------------------
# Validation: bits per byte with the state carried, or reset at every segment
# ----------------------------------------------------------------------------------------------

@torch.no_grad()
def evaluate(model: HybridLM, data: TokenData, seq_len: int, batch: int, carried: bool,
             device: torch.device) -> dict:
    """Bits per byte of ``data``: every token after a document's first, predicted from the
    tokens before it in its document, over segments of ``seq_len``; with ``carried`` False
    each segment starts from the zero state at position 0 (no context from earlier segments).
    Both modes score exactly the same tokens. Float32 (no autocast, no TF32)."""
    was_training = model.training
    model.eval()
    tf32 = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    token_bytes = torch.as_tensor(data.token_bytes, dtype=torch.float64, device=device)
    totals: Dict[str, List[float]] = {}
    by_length = sorted(range(len(data.docs)), key=lambda i: len(data.docs[i]))   # less padding
    for first in range(0, len(by_length), batch):
        docs = [data.docs[i] for i in by_length[first:first + batch]]
        sources = [source_of(data.names[i]) for i in by_length[first:first + batch]]
        rows, longest = len(docs), max(len(d) for d in docs)
        state = model.initial_state(rows, device)
        nll = torch.zeros(rows, dtype=torch.float64, device=device)
        nbytes = torch.zeros(rows, dtype=torch.float64, device=device)
        ntok = torch.zeros(rows, dtype=torch.float64, device=device)
        for p in range(0, longest - 1, seq_len):
            x = np.zeros((rows, seq_len), dtype=np.int64)
            y = np.full((rows, seq_len), IGNORE, dtype=np.int64)
            for r, d in enumerate(docs):
                seg, tgt = d[p:p + seq_len], d[p + 1:p + seq_len + 1]
                x[r, :len(seg)], y[r, :len(tgt)] = seg, tgt
            x_t, y_t = torch.as_tensor(x, device=device), torch.as_tensor(y, device=device)
            t0 = p if carried else 0
            positions = (t0 + torch.arange(seq_len, device=device)).unsqueeze(0).expand(rows, seq_len).contiguous()
            past = state if carried else model.initial_state(rows, device)
            logits, _, present = model.forward_segment(x_t, segment_mask(model, rows, seq_len, device),
                                                       positions, past)
            if carried:
                state = carry(model, present)
            valid = y_t != IGNORE
            losses = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y_t.reshape(-1),
                                     ignore_index=IGNORE, reduction="none").view(rows, seq_len)
            nll += (losses.double() * valid).sum(1)
            nbytes += (token_bytes[y_t.clamp(min=0)] * valid).sum(1)
            ntok += valid.sum(1)
        for r, src in enumerate(sources):
            acc = totals.setdefault(src, [0.0, 0.0, 0.0])
            acc[0] += nll[r].item(); acc[1] += nbytes[r].item(); acc[2] += ntok[r].item()
    torch.backends.cuda.matmul.allow_tf32 = tf32
    model.train(was_training)
    nll_all = sum(v[0] for v in totals.values())
    bytes_all = sum(v[1] for v in totals.values())
    tokens_all = sum(v[2] for v in totals.values())
    return {"bpb": nll_all / LN2 / bytes_all, "nll_per_token": nll_all / tokens_all,
            "tokens": int(tokens_all), "bytes": int(bytes_all),
            "by_source": {s: v[0] / LN2 / v[1] for s, v in sorted(totals.items())}}


# ----------------------------------------------------------------------------------------------
# The run
# ----------------------------------------------------------------------------------------------

class Run:
    def __init__(self, cfg: RunConfig, train: TokenData, val: Optional[TokenData], run_dir: Path,
                 device: torch.device):
        self.cfg, self.train_data, self.val, self.dir, self.device = cfg, train, val, run_dir, device
        self.dir.mkdir(parents=True, exist_ok=True)
        vocab = len(train.token_bytes)
        self.model = make_model(cfg, vocab).to(device)
        self.dropout_sites = add_residual_dropout(self.model, cfg.dropout)
        self.opt = make_optimizer(self.model, cfg)
        self.streams = Streams(train.docs, cfg.batch, cfg.seq_len, cfg.seed)
        self.state = self.model.initial_state(cfg.batch, device)
        self.step, self.tokens, self.elapsed = 0, 0, 0.0
        self.best_row: Optional[dict] = None   # best-fp16.pt's evaluation, read once (a resumed run's) then kept
        self.rewarm_from, self.rewarm = 0, 0       # set by init_from: a short warm-up of a fresh optimizer
        torch.manual_seed(cfg.seed)

    # -- checkpoints ---------------------------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.dir / "checkpoint.pt"

    def save(self) -> None:
        ckpt = {
            "run_config": asdict(self.cfg), "model": self.model.state_dict(),
            "optimizer": self.opt.state_dict(), "step": self.step, "tokens": self.tokens,
            "elapsed": self.elapsed, "streams": self.streams.state_dict(),
            "carried_state": {k: v.cpu() for k, v in self.state.items()},
            "rng": {"torch": torch.get_rng_state(),
                    "cuda": torch.cuda.get_rng_state_all() if self.device.type == "cuda" else None},
            "torch": str(torch.__version__), "rewarm": [self.rewarm_from, self.rewarm],
        }
        tmp = self.checkpoint_path.with_suffix(".tmp")
        torch.save(ckpt, tmp)
        tmp.replace(self.checkpoint_path)
        # The weights alone, small enough to leave the machine: what --init-from continues from.
        self.save_weights(self.dir / "last-fp16.pt", {"step": self.step, "tokens": self.tokens})

    def load(self) -> None:
        ckpt = load(self.checkpoint_path, self.device)
        saved = ckpt["run_config"]
        for key in ("family", "model", "batch", "seq_len", "seed"):
            if json.dumps(saved[key], sort_keys=True) != json.dumps(getattr(self.cfg, key), sort_keys=True):
                raise ValueError(f"--resume with another {key}: checkpoint {saved[key]!r}, now {getattr(self.cfg, key)!r}")
        self.model.load_state_dict(ckpt["model"])
        self.opt.load_state_dict(ckpt["optimizer"])
        self.step, self.tokens, self.elapsed = ckpt["step"], ckpt["tokens"], ckpt["elapsed"]
        # (a run continued with --init-from deals from a seed of its own, kept in its streams' state)
        self.streams = Streams(self.train_data.docs, self.cfg.batch, self.cfg.seq_len, ckpt["streams"]["seed"])
        self.streams.load_state_dict(ckpt["streams"])
        self.rewarm_from, self.rewarm = ckpt.get("rewarm", (0, 0))
        self.state = {k: v.to(self.device) for k, v in ckpt["carried_state"].items()}
        torch.set_rng_state(ckpt["rng"]["torch"].cpu())
        if self.device.type == "cuda" and ckpt["rng"]["cuda"] is not None:
            torch.cuda.set_rng_state_all([s.cpu() for s in ckpt["rng"]["cuda"]])

    def init_from(self, path: Path, rewarm: int) -> None:
        """Continues a schedule from weights alone (``save_weights``' float16 file, e.g. brought back from
        another machine): the model's weights, the step and token count they were saved at (the
        learning-rate schedule goes on from there), and a fresh optimizer whose rate climbs back over
        ``rewarm`` steps, since its moments are not in the file. The streams deal documents in an
        order of their own (seeded by the step), so the continuation does not replay the first
        documents of the earlier leg."""
        saved = load(path, self.device)
        config = saved["run_config"]
        for key in ("family", "model", "seq_len"):
            if json.dumps(config[key], sort_keys=True) != json.dumps(getattr(self.cfg, key), sort_keys=True):
                raise ValueError(f"--init-from with another {key}: weights {config[key]!r}, now {getattr(self.cfg, key)!r}")
        self.model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in saved["model"].items()})
        self.step, self.tokens = saved["step"], saved["tokens"]
        self.rewarm_from, self.rewarm = self.step, rewarm
        self.streams = Streams(self.train_data.docs, self.cfg.batch, self.cfg.seq_len, self.cfg.seed + self.step)

    def lr(self) -> float:
        factor = lr_factor(self.step, self.cfg)
        if self.rewarm:
            factor *= min(1.0, (self.step - self.rewarm_from + 1) / self.rewarm)
        return self.cfg.lr * factor

    # -- training ------------------------------------------------------------------------------
    def train_step(self) -> float:
        cfg, dev = self.cfg, self.device
        x, y, pos, fresh = self.streams.next_batch()
        x_t, y_t = torch.as_tensor(x, device=dev), torch.as_tensor(y, device=dev)
        pos_t, fresh_t = torch.as_tensor(pos, device=dev), torch.as_tensor(fresh, device=dev)
        past = zero_rows(self.state, fresh_t)
        for group in self.opt.param_groups:
            group["lr"] = self.lr()
        with autocast(dev):
            logits, _, present = self.model.forward_segment(x_t, segment_mask(self.model, cfg.batch, cfg.seq_len, dev),
                                                            pos_t, past)
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y_t.reshape(-1), ignore_index=IGNORE)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.grad_clip)
        self.opt.step()
        self.state = carry(self.model, present)
        self.step += 1
        self.tokens += int((y != IGNORE).sum())
        return loss.item()

    def run_eval(self) -> dict:
        row = {"step": self.step, "tokens": self.tokens, "elapsed_s": round(self.elapsed, 1)}
        for mode in ("carried", "reset"):
            row[mode] = evaluate(self.model, self.val, self.cfg.seq_len, self.cfg.eval_batch,
                                 mode == "carried", self.device)
        with open(self.dir / "eval.jsonl", "a") as f:
            f.write(json.dumps(row) + "\n")
        best = self.dir / "best-fp16.pt"
        if self.best_row is None and best.exists():
            self.best_row = load(best)["eval"]
        if self.best_row is None or self.choice(row) < self.choice(self.best_row):
            self.save_weights(best, row)
            self.best_row = row
        return row

    def choice(self, row: dict) -> float:
        """What the best weights are chosen by: bits per byte, state carried, on all of the validation
        text or on ``best_source`` alone (e.g. held-out stories of a continued run's own kind)."""
        carried = row["carried"]
        return carried["by_source"][self.cfg.best_source] if self.cfg.best_source else carried["bpb"]

    def save_weights(self, path: Path, row: dict) -> None:
        """The weights rounded to float16 (what the export stores), with the run config."""
        save_weights(path, self.model, asdict(self.cfg), len(self.train_data.token_bytes), self.step, self.tokens, row)

    def fit(self, max_steps: int, max_seconds: float = float("inf"), echo=print) -> None:
        """Train until ``max_steps`` (total) or ``max_seconds`` of this call; checkpoint at the end."""
        cfg = self.cfg
        log_path = self.dir / "log.csv"
        new_log = not log_path.exists()
        start, last = time.time(), time.time()
        window: List[float] = []
        with open(log_path, "a", newline="") as f:
            writer = csv.writer(f)
            if new_log:
                writer.writerow(["step", "tokens", "lr", "loss", "elapsed_s", "tokens_per_s"])
            tokens_at_last = self.tokens
            while self.step < max_steps and time.time() - start < max_seconds:
                window.append(self.train_step())
                if self.step % cfg.log_every == 0:
                    now = time.time()
                    self.elapsed += now - last
                    rate = (self.tokens - tokens_at_last) / max(1e-9, now - last)
                    last, tokens_at_last = now, self.tokens
                    loss = sum(window) / len(window)
                    window = []
                    writer.writerow([self.step, self.tokens, f"{self.opt.param_groups[0]['lr']:.6g}",
                                     f"{loss:.5f}", f"{self.elapsed:.1f}", f"{rate:.0f}"])
                    f.flush()
                    if self.step % (cfg.log_every * 10) == 0:
                        echo(f"step {self.step} tokens {self.tokens} loss {loss:.4f} {rate:.0f} tok/s")
                if self.val is not None and cfg.eval_every and self.step % cfg.eval_every == 0:
                    row = self.run_eval()
                    echo(f"eval step {self.step}: bpb carried {row['carried']['bpb']:.4f} reset {row['reset']['bpb']:.4f}")
                if cfg.checkpoint_every and self.step % cfg.checkpoint_every == 0:
                    self.save()
            self.elapsed += time.time() - last
        self.save()


def save_weights(path: Path, model: HybridLM, run_config: dict, vocab_size: int, step: int, tokens: int,
                 row: dict) -> None:
    """The float16 weights file that ``--init-from`` continues from and the export reads: the weights
    rounded to float16, the run config, the step and tokens they were saved at, the evaluation row."""
    torch.save({"run_config": run_config, "vocab_size": vocab_size, "step": step, "tokens": tokens, "eval": row,
                "model": {k: v.detach().cpu().half() if v.is_floating_point() else v.cpu()
                          for k, v in model.state_dict().items()}}, path)


def parameters(model: HybridLM) -> int:
    return sum(p.numel() for p in model.parameters())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", required=True, choices=sorted(FAMILIES))
    parser.add_argument("--tokens", type=Path, required=True, help="tokens.npz from models.train_data --tokenize")
    parser.add_argument("--run-dir", type=Path, required=True)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON", help="model config override")
    parser.add_argument("--resume", action="store_true", help="continue from run-dir/checkpoint.pt")
    parser.add_argument("--max-minutes", type=float, default=float("inf"), help="stop (and checkpoint) after this")
    parser.add_argument("--until", type=int, help="stop at this step (default: --steps)")
    parser.add_argument("--init-from", type=Path, help="continue the schedule from weights alone (a *-fp16.pt of "
                        "an earlier leg, e.g. from another machine), with a fresh optimizer")
    parser.add_argument("--rewarm", type=int, default=100, help="with --init-from: steps to climb back to the rate")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    for name, default in asdict(RunConfig(family="")).items():
        if name not in ("family", "model", "betas"):
            parser.add_argument("--" + name.replace("_", "-"), type=type(default), default=default)
    args = parser.parse_args()
    cfg = RunConfig(family=args.family,
                    model={k: json.loads(v) for k, v in (s.split("=", 1) for s in args.set)},
                    **{k: getattr(args, k) for k in asdict(RunConfig(family="")) if k not in ("family", "model", "betas")})
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    run = Run(cfg, TokenData.load(args.tokens, "train"), TokenData.load(args.tokens, "val"), args.run_dir, device)
    if args.resume and run.checkpoint_path.exists():
        run.load()
        print(f"resumed at step {run.step}, {run.tokens} tokens")
    elif args.init_from:
        run.init_from(args.init_from, args.rewarm)
        print(f"initialised from {args.init_from} at step {run.step}, {run.tokens} tokens, fresh optimizer "
              f"(rate back over {args.rewarm} steps)")
    (args.run_dir / "run_config.json").write_text(json.dumps(asdict(cfg), indent=2) + "\n")
    print(f"{cfg.family}: {parameters(run.model)} parameters, dropout on {run.dropout_sites} projections, "
          f"{run.train_data.tokens} training tokens, "
          f"{run.val.tokens} validation tokens", flush=True)
    run.fit(args.until or cfg.steps, args.max_minutes * 60, echo=lambda s: print(s, flush=True))
    if run.step < cfg.steps:        # a leg of the schedule: the last evaluation belongs to its end
        print(f"stopped at step {run.step} of {cfg.steps}, {run.tokens} tokens: --resume continues", flush=True)
        return
    evaluated_by_fit = bool(cfg.eval_every) and run.step % cfg.eval_every == 0
    if not evaluated_by_fit:
        print(json.dumps(run.run_eval()), flush=True)
    # The best weights as they are exported (rounded to float16, computed in float32).
    best = load(args.run_dir / "best-fp16.pt")
    rounded = make_model(cfg, best["vocab_size"]).to(device)
    rounded.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in best["model"].items()})
    final = {"step": best["step"], "tokens": best["tokens"], "fp32": best["eval"],
             "fp16_weights": {mode: evaluate(rounded, run.val, cfg.seq_len, cfg.eval_batch, mode == "carried", device)
                              for mode in ("carried", "reset")}}
    (args.run_dir / "best.json").write_text(json.dumps(final, indent=2) + "\n")
    print("best:", json.dumps(final), flush=True)


if __name__ == "__main__":
    main()
