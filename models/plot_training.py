"""Plot the training runs' loss curves and validation bits per byte (needs matplotlib).

    /usr/bin/python3 -m models.plot_training docs/training/runs docs/training/curves.png
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def main(runs: Path, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (train_ax, val_ax) = plt.subplots(1, 2, figsize=(13, 5))
    for run in sorted(p for p in runs.iterdir() if (p / "log.csv").is_file() and not p.name.startswith("probe")):
        rows = list(csv.DictReader((run / "log.csv").open()))
        style = "-" if run.name.startswith("gemma2") else "--"
        line, = train_ax.plot([int(r["tokens"]) / 1e6 for r in rows], [float(r["loss"]) for r in rows],
                              style, lw=0.8, label=run.name)
        evals = [json.loads(l) for l in (run / "eval.jsonl").read_text().splitlines()]
        tokens = [e["tokens"] / 1e6 for e in evals]
        val_ax.plot(tokens, [e["carried"]["bpb"] for e in evals], style, color=line.get_color(), marker="o",
                    ms=3, label=f"{run.name} carried")
        val_ax.plot(tokens, [e["reset"]["bpb"] for e in evals], ":", color=line.get_color(), lw=0.8,
                    label=f"{run.name} reset")
    train_ax.set(xlabel="training tokens seen (millions)", ylabel="training loss (nats / token)",
                 title="training loss (bf16, dropout on where set)")
    val_ax.set(xlabel="training tokens seen (millions)", ylabel="validation bits per byte",
               title="held-out bits per byte: state carried (solid/dashed) vs reset (dotted)", ylim=(1.6, 2.0))
    train_ax.legend(fontsize=7)
    val_ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
