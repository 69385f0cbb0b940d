"""The corpus runs of 2026-12-05 (issue 17): every run of the scaling study at once on one GPU,
sized by a probe, trained in legs (one device call each), collected for the trip back.

    python3 docs/training/calls/corpus.py probe   WORK               # 30 s of each run at once
    python3 docs/training/calls/corpus.py leg     WORK SECONDS       # plan (first leg) or resume
    (CORPUS_RUNS=a,b: only those runs; CORPUS_BATCH, CORPUS_LR (every run's peak), CORPUS_EVAL_BATCH, CORPUS_SAFETY,
    CORPUS_PLANNED_SECONDS, CORPUS_EVALUATIONS; CORPUS_TINY: tiny models; CORPUS_PLAN: continue an earlier machine's schedule)
    python3 docs/training/calls/corpus.py collect WORK OUT RUN...    # best weights in 15 MiB parts

``WORK`` holds ``tokens-<vocab>.npz`` (``models.train_data --corpus ... --tokenizer ...``); each
run trains in ``WORK/runs/<name>``. The probe measures every run's tokens per second while all
of them share the GPU; the first leg turns that into each run's schedule (``--steps``) so that it
ends, with its last evaluation, inside the planned time (``PLANNED_SECONDS``, at ``SAFETY`` of
the probe's rate), and writes ``WORK/plan.json``; a later leg resumes. (On 2026-12-05 the plan was
too hopeful: the runs reached 56-87 % of their schedules in the planned time, see
docs/training.md.)
Run from the repository root (``models`` is imported from there).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

GEMMA2 = {"layer_types": ["sliding_attention", "full_attention"], "sliding_window": 128, "memory": 512,
          "init_std": 0.02}
JAMBA = {"num_hidden_layers": 6, "layer_types": ["mamba", "mamba", "attention", "mamba", "mamba", "attention"],
         "ffn_types": ["mlp", "moe", "mlp", "mlp", "moe", "mlp"], "num_experts": 4, "memory": 256,
         "mamba_headdim": 64, "init_std": 0.02}


def gemma2(d: int, layers: int, heads: int, kv: int, ffn: int) -> dict:
    return dict(GEMMA2, hidden_size=d, layer_types=GEMMA2["layer_types"] * (layers // 2),
                num_attention_heads=heads, num_key_value_heads=kv, intermediate_size=ffn)


def jamba(d: int, heads: int, ffn: int) -> dict:
    return dict(JAMBA, hidden_size=d, num_attention_heads=heads, num_key_value_heads=2, intermediate_size=ffn)


# name -> (family, model config, vocabulary, peak learning rate)
RUNS = {
    "gemma2-xs": ("gemma2", gemma2(192, 4, 3, 1, 576), 8192, 3e-3),
    "gemma2-s": ("gemma2", gemma2(256, 8, 4, 2, 768), 8192, 3e-3),
    "gemma2-s-4k": ("gemma2", gemma2(256, 8, 4, 2, 768), 4096, 3e-3),
    "gemma2-m": ("gemma2", gemma2(384, 8, 6, 2, 1152), 8192, 2e-3),
    "gemma2-l": ("gemma2", gemma2(512, 8, 8, 2, 1536), 8192, 2e-3),
    "jamba-s": ("jamba", jamba(256, 4, 384), 8192, 3e-3),
    "jamba-m": ("jamba", jamba(384, 6, 576), 8192, 2e-3),
    # the GPU default's candidate (session 18): the largest jamba whose float16 weights stay under issue 17's
    # 60 MB (29,101,376 parameters, 58.2 MB)
    "jamba-l": ("jamba", jamba(512, 8, 704), 8192, 2e-3),
}
if os.environ.get("CORPUS_RUNS"):                     # a subset (the CPU check of this script)
    RUNS = {k: v for k, v in RUNS.items() if k in os.environ["CORPUS_RUNS"].split(",")}
if os.environ.get("CORPUS_LR"):                       # one peak learning rate for every run
    RUNS = {k: (f, c, v, float(os.environ["CORPUS_LR"])) for k, (f, c, v, _) in RUNS.items()}
if os.environ.get("CORPUS_TINY"):                     # tiny models, for the CPU check of this script
    RUNS = {k: (f, gemma2(32, 2, 2, 1, 64) if f == "gemma2" else jamba(64, 2, 64), v, lr)
            for k, (f, _, v, lr) in RUNS.items()}

# 64 streams: at 128, seven runs at once did not fit the H100's 80 GB (docs/training.md).
BATCH, SEQ_LEN = int(os.environ.get("CORPUS_BATCH", 64)), 256
PLANNED_SECONDS = float(os.environ.get("CORPUS_PLANNED_SECONDS", 900))   # both legs' training time
SAFETY = float(os.environ.get("CORPUS_SAFETY", 0.8))   # of the probe's rate: evaluations, checkpoints, slower moments
EVALUATIONS = int(os.environ.get("CORPUS_EVALUATIONS", 3))   # per schedule, the last at its end
COMMON = ["--batch", str(BATCH), "--seq-len", str(SEQ_LEN), "--weight-decay", "0.1",
          "--eval-batch", os.environ.get("CORPUS_EVAL_BATCH", "32"),
          "--log-every", "10"]


def train_command(work: Path, name: str, run_dir: Path, extra: list) -> list:
    family, config, vocab, lr = RUNS[name]
    sets = [a for k, v in dict(config, vocab_size=vocab).items() for a in ("--set", f"{k}={json.dumps(v)}")]
    return [sys.executable, "-m", "models.train", "--family", family, *sets, "--tokens",
            str(work / f"tokens-{vocab}.npz"), "--run-dir", str(run_dir), "--lr", str(lr), *COMMON, *extra]


def run_all(commands: dict, logs: Path) -> dict:
    """Starts every command at once, waits for all; returns their exit codes."""
    logs.mkdir(parents=True, exist_ok=True)
    # The machine's cores shared out: every process with threads for all of them spins on one another.
    env = dict(os.environ, OMP_NUM_THREADS=str(max(1, (os.cpu_count() or 1) // len(commands))))
    procs = {n: subprocess.Popen(c, stdout=open(logs / f"{n}.log", "a"), stderr=subprocess.STDOUT, env=env)
             for n, c in commands.items()}
    return {n: p.wait() for n, p in procs.items()}


def probe(work: Path) -> None:
    commands = {n: train_command(work, n, work / "probe" / n, ["--steps", "100000", "--warmup", "100",
                                                               "--eval-every", "0", "--checkpoint-every", "0",
                                                               "--max-minutes", "0.5"])
                for n in RUNS}
    codes = run_all(commands, work / "logs-probe")
    rates = {}
    for n in RUNS:
        rows = list(csv.DictReader(open(work / "probe" / n / "log.csv")))
        rows = rows[3:] if len(rows) > 5 else rows          # past the first steps where there are more
        if rows:
            rates[n] = sum(float(r["tokens_per_s"]) for r in rows) / len(rows)
        else:                                               # fewer steps than one log row
            import torch
            ckpt = torch.load(work / "probe" / n / "checkpoint.pt", map_location="cpu", weights_only=False)
            rates[n] = ckpt["tokens"] / max(1e-9, ckpt["elapsed"])
    print(json.dumps({"exit": codes, "tokens_per_s": {n: round(r) for n, r in rates.items()}}))
    (work / "probe.json").write_text(json.dumps(rates, indent=2))


def plan(work: Path) -> dict:
    rates = json.loads((work / "probe.json").read_text())
    out = {}
    for n in RUNS:
        steps = int(rates[n] * PLANNED_SECONDS * SAFETY / (BATCH * SEQ_LEN))
        every = max(1, steps // EVALUATIONS)
        out[n] = {"steps": every * EVALUATIONS, "eval_every": every, "warmup": max(50, every * EVALUATIONS // 50)}
    (work / "plan.json").write_text(json.dumps(out, indent=2))
    return out


def leg(work: Path, seconds: float) -> None:
    # CORPUS_PLAN: a schedule begun on another machine (an earlier session): its plan.json, with each run's
    # last float16 weights beside it in <run>/last-fp16.pt; this machine's first leg starts from those
    # (models.train --init-from: a fresh optimizer), its later legs resume as usual.
    carried = Path(os.environ["CORPUS_PLAN"]) if os.environ.get("CORPUS_PLAN") else None
    init = None
    if carried is not None and not (work / "plan.json").exists():
        (work / "plan.json").write_text(carried.read_text())
        init = carried.parent
    first = not (work / "plan.json").exists()
    schedule = plan(work) if first else json.loads((work / "plan.json").read_text())
    print(json.dumps({"first_leg": first, "continued_from": str(init) if init else None, "plan": schedule}))
    commands = {}
    for n, s in schedule.items():
        if n not in RUNS:                               # a subset of the plan (CORPUS_RUNS)
            continue
        extra = ["--steps", str(s["steps"]), "--eval-every", str(s["eval_every"]), "--warmup", str(s["warmup"]),
                 "--checkpoint-every", str(s["eval_every"]), "--max-minutes", f"{seconds / 60:.3f}"]
        if init is not None:
            extra += ["--init-from", str(init / n / "last-fp16.pt"), "--rewarm", str(s["warmup"])]
        elif not first:
            extra += ["--resume"]
        commands[n] = train_command(work, n, work / "runs" / n, extra)
    started = time.time()
    codes = run_all(commands, work / "logs")
    print(json.dumps({"exit": codes, "wall_s": round(time.time() - started)}))


def collect(work: Path, out: Path, names: list) -> None:
    """The logs of every run (one tar), and the named runs' best float16 weights, in 15 MiB parts
    (CORPUS_COLLECT=last: the last weights instead, what a later session's CORPUS_PLAN continues from)."""
    runs = work / "runs"
    # probe.json exists only where this machine probed (a plan continued from CORPUS_PLAN was not)
    planned = [f for f in ("plan.json", "probe.json") if (work / f).exists()]
    subprocess.run(["tar", "czf", str(out / "runs-logs.tgz"), "-C", str(work), *planned,
                    "logs", *[str(p.relative_to(work)) for p in runs.glob("*/*")
                              if p.suffix in (".csv", ".jsonl", ".json")]], check=True)
    which = os.environ.get("CORPUS_COLLECT", "best")
    weights = [f"runs/{n}/{which}-fp16.pt" for n in names if (runs / n / f"{which}-fp16.pt").exists()]
    if weights:
        tar = subprocess.Popen(["tar", "cf", "-", "-C", str(work), *weights], stdout=subprocess.PIPE)
        subprocess.run(["split", "-b", "15M", "-d", "-", str(out / "weights.tar.")], stdin=tar.stdout, check=True)
        tar.wait()
    for p in sorted(out.iterdir()):
        print(p.name, p.stat().st_size)


def main() -> None:
    verb, work = sys.argv[1], Path(sys.argv[2])
    if verb == "probe":
        probe(work)
    elif verb == "leg":
        leg(work, float(sys.argv[3]))
    elif verb == "collect":
        collect(work, Path(sys.argv[3]), sys.argv[4:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
