"""Error of the jamba segment path in float32 against the same model in float64 (docs/performance.md,
"The graph change"): 2 documents of 6 segments of 256 tokens from Moby Dick, the bench recipe and jamba-tiny,
token NLL median / p99 / max, last_hidden_state max and the final states' max difference.

    /usr/bin/python3 bench/segment_precision.py            # this checkout's models/
    /usr/bin/python3 bench/segment_precision.py ROOT       # the models/ package under ROOT, e.g. an earlier commit:
        mkdir /tmp/old && git archive c838919^ models | tar x -C /tmp/old && ln -s "$PWD/data" /tmp/old/data
"""
import sys
from pathlib import Path

import torch

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))
from models.corpus import byte_ids, moby_dick_bytes  # noqa: E402
from models.families import build  # noqa: E402
from models.runner import fixed_split, run_segments  # noqa: E402

TOKENS = 256 * 6
BENCH = dict(hidden_size=512, num_hidden_layers=8, num_attention_heads=8, intermediate_size=1024)


def token_nll(logits, ids):
    return -torch.log_softmax(logits.double(), -1)[:, :-1].gather(-1, ids[:, 1:, None]).flatten()


def main():
    ids = byte_ids([moby_dick_bytes(100_000 + 20_011 * b, TOKENS) for b in range(2)])
    for name, overrides in (("bench", BENCH), ("tiny", {})):
        f32 = build("jamba", **overrides).eval()
        f64 = build("jamba", **overrides).eval().double()
        with torch.no_grad():
            l32, h32, s32 = run_segments(f32, ids, fixed_split(TOKENS, 256))
            l64, h64, s64 = run_segments(f64, ids, fixed_split(TOKENS, 256),
                                         {k: v.double() for k, v in f64.initial_state(2).items()})
        d = (token_nll(l32, ids) - token_nll(l64, ids)).abs()
        states = max((s32[k].double() - s64[k]).abs().max().item() for k in s32)
        print(f"{ROOT} {name}: token_nll vs float64 median {d.median():.3g} p99 {d.quantile(0.99):.3g} "
              f"max {d.max():.3g}; last_hidden_state max {(h32.double() - h64).abs().max():.3g}; "
              f"final states max {states:.3g}")


if __name__ == "__main__":
    main()
