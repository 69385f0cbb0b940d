"""A first look at a learned sentence selector (issue 17): logistic regression on what
``bench/quality features`` writes, fitted on training sets and scored on others by ROC AUC
against the greedy oracle's labels, beside today's fixed mix (``relevance``).

    /usr/bin/python3 bench/selector_fit.py --dir bench/out/features \
        --train squality-train,qmsum-train --test squality,qmsum

Feature sets: ``scalars`` (zModel, zLexical, zLength, position, ln words), ``scalars+vector``
(also the sentence's centred unit model vector) and ``scalars+vector+dialogue`` (also each of those
times the document's share of lines that open with a speaker label, and that share: interaction
terms, so that one regression scores meetings and stories each its own way). Numpy only;
L2-regularised Newton steps.

``--write FILE --model M [--design D] [--lambda L] [--min-words N] [--dialogue-lambda L2]
[--dialogue-min-words N2]`` also writes the fitted scorer of design ``D`` as the gateway reads it
(``selector.json`` in the model's folder, format ``baton-selector/2`` with the dialogue part and its
MMR trade-off and fewest words for transcripts, else ``baton-selector/1``:
io.baton.gateway.summarize.LearnedRelevance), its log-odds shifted and scaled by their mean and
standard deviation over the training sentences, with the MMR trade-off ``L`` (and the fewest words
of a sentence picked while longer ones are left, ``N``) it is to be used with.
"""
import argparse
import datetime
import json
import os

import numpy as np

SCALARS = ("zModel", "zLexical", "zLength", "position")


def load(directory, name):
    """(scalars, vectors, labels, relevance, dialogue) of every sentence of set ``name``; dialogue is its
    document's share of speaker turns."""
    rows, dialogue, spans, dimension = [], [], [], 0
    with open(os.path.join(directory, f"selector-features-{name}.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            document = json.loads(line)
            dimension = document["dimension"] or dimension
            rows.extend(document["sentences"])
            dialogue.extend([document.get("dialogue", np.nan)] * len(document["sentences"]))
            spans.append((document["vectorRow"], len(document["sentences"])))
    vectors = np.fromfile(os.path.join(directory, f"selector-vectors-{name}.f32"), dtype="<f4").reshape(-1, dimension)
    # Each document's rows (a features file cut to its first documents still names the whole vectors file).
    vectors = np.vstack([vectors[start:start + n] for start, n in spans]).astype(np.float64)
    scalars = np.array([[r[k] for k in SCALARS] + [np.log(max(1, r["words"]))] for r in rows])
    labels = np.array([r["oracle"] for r in rows], dtype=np.float64)
    relevance = np.array([r["relevance"] for r in rows])
    return scalars, vectors, labels, relevance, np.array(dialogue)[:, None]


def auc(scores, labels):
    """Mann-Whitney ROC AUC (ties count half)."""
    order = np.argsort(scores, kind="mergesort")
    ranked = scores[order]
    ranks = np.empty(len(scores))
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j] == ranked[i]:
            j += 1
        ranks[order[i:j]] = (i + 1 + j) / 2.0
        i = j
    positives = labels.sum()
    negatives = len(labels) - positives
    return (ranks[labels == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)


def fit(x, y, l2=1.0, steps=25, weight=None):
    """Logistic regression weights (last one the bias) by Newton's method; ``weight`` per row (default 1)."""
    x = np.hstack([x, np.ones((len(x), 1))])
    c = np.ones(len(x)) if weight is None else weight
    w = np.zeros(x.shape[1])
    penalty = l2 * np.eye(x.shape[1])
    penalty[-1, -1] = 0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (c * (p - y)) + penalty @ w
        hessian = (x * (c * p * (1 - p))[:, None]).T @ x + penalty
        w -= np.linalg.solve(hessian, gradient)
    return w


def score(w, x):
    return np.hstack([x, np.ones((len(x), 1))]) @ w


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default="bench/out/features")
    parser.add_argument("--train", default="squality-train,qmsum-train")
    parser.add_argument("--test", default="squality,qmsum")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--balance", action="store_true", help="weigh every training set equally")
    parser.add_argument("--write", help="write the fitted scorer of --design here (selector.json)")
    parser.add_argument("--model", help="the model the features came from (with --write)")
    parser.add_argument("--design", default="scalars+vector", choices=("scalars", "scalars+vector",
                                                                       "scalars+vector+dialogue"))
    parser.add_argument("--lambda", dest="lam", type=float, default=0.3, help="MMR trade-off (with --write)")
    parser.add_argument("--min-words", type=int, help="fewest words of a sentence picked while longer ones are"
                        " left (with --write; default: the gateway's setting)")
    parser.add_argument("--dialogue-lambda", type=float, help="MMR trade-off for transcripts (with --write and the"
                        " dialogue design; default --lambda)")
    parser.add_argument("--dialogue-min-words", type=int, help="fewest words for transcripts (with --write and the"
                        " dialogue design; default --min-words)")
    args = parser.parse_args()
    train = [load(args.dir, name) for name in args.train.split(",")]
    tests = {name: load(args.dir, name) for name in args.test.split(",")}
    xs = np.vstack([t[0] for t in train])
    mean, sd = xs.mean(0), xs.std(0) + 1e-12
    y = np.concatenate([t[2] for t in train])
    designs = {
        "scalars": lambda s, v, d: (s - mean) / sd,
        "scalars+vector": lambda s, v, d: np.hstack([(s - mean) / sd, v]),
        "scalars+vector+dialogue": lambda s, v, d: np.hstack([(s - mean) / sd, v, d * (s - mean) / sd, d * v, d]),
    }
    if any(np.isnan(t[4]).any() for t in train + list(tests.values())):
        del designs["scalars+vector+dialogue"]   # features written before the share was
    # --balance: every training set weighs as much as the others in all (its rows' weight is the mean
    # set size over its own), so the set with most sentences does not decide alone.
    sizes = [len(t[2]) for t in train]
    weight = np.concatenate([np.full(n, np.mean(sizes) / n) for n in sizes]) if args.balance else None
    weights = {name: fit(np.vstack([design(t[0], t[1], t[4]) for t in train]), y, args.l2, weight=weight)
               for name, design in designs.items()}
    print(f"trained on {args.train}: {len(y):,} sentences, {int(y.sum()):,} oracle picks; L2 {args.l2}")
    print()
    print("| set | sentences | oracle picks | AUC relevance (written) | " + " | ".join(f"AUC {d}" for d in designs) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(designs))
    vs, ds = np.vstack([t[1] for t in train]), np.vstack([t[4] for t in train])
    for name, (s, v, labels, relevance, d) in [("(train) " + args.train, (
            xs, vs, y, np.concatenate([t[3] for t in train]), ds))] + list(tests.items()):
        cells = [auc(relevance, labels)] + [auc(score(weights[k], designs[k](s, v, d)), labels) for k in designs]
        print(f"| {name} | {len(labels):,} | {int(labels.sum()):,} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    print()
    if args.write:
        write(args, weights[args.design], mean, sd, designs[args.design](xs, vs, ds), y)
    print("scalar weights (standardised features, then bias):",
          " ".join(f"{k}={w:+.3f}" for k, w in zip(SCALARS + ("lnWords", "bias"),
                                                    np.r_[weights["scalars"][:5], weights["scalars"][-1]])))


def write(args, w, mean, sd, design, labels):
    """The scorer as the gateway reads it (LearnedRelevance), to ``args.write``."""
    if not args.model:
        raise SystemExit("--write needs --model")
    k = len(SCALARS) + 1
    dialogue = args.design.endswith("+dialogue")
    # Columns: k scalars, the vector, then (dialogue design) k scalars and the vector times the share, the share.
    dimension = (len(w) - 2) // 2 - k if dialogue else len(w) - 1 - k
    vector = w[k:k + dimension]
    logits = score(w, design)
    part = {}
    if dialogue:
        lam = args.lam if args.dialogue_lambda is None else args.dialogue_lambda
        fewest = args.min_words if args.dialogue_min_words is None else args.dialogue_min_words
        part = {"dialogue": {"weights": w[k + dimension:2 * k + dimension].tolist(),
                             "vectorWeights": w[2 * k + dimension:2 * k + 2 * dimension].tolist(),
                             "bias": float(w[-2]), "lambda": lam,
                             **({"minWords": fewest} if fewest is not None else {})}}
    selector = {
        "format": "baton-selector/2" if dialogue else "baton-selector/1",
        "model": args.model,
        "features": list(SCALARS) + ["lnWords"],
        "mean": mean.tolist(),
        "sd": sd.tolist(),
        "weights": w[:k].tolist(),
        "vectorWeights": vector.tolist(),
        "bias": float(w[-1]),
        "center": float(logits.mean()),
        "scale": float(logits.std()),
        "lambda": args.lam,
        **({"minWords": args.min_words} if args.min_words is not None else {}),
        **part,
        "fitted": {"design": args.design, "l2": args.l2, "balanced": args.balance, "trainSets": args.train, "sentences": int(len(labels)),
                   "oraclePicks": int(labels.sum()), "date": datetime.date.today().isoformat(),
                   "by": "bench/selector_fit.py"},
    }
    with open(args.write, "w", encoding="utf-8") as out:
        json.dump(selector, out, indent=1)
        out.write("\n")
    print(f"wrote {args.write} ({args.design}, L2 {args.l2}, lambda {args.lam})")


if __name__ == "__main__":
    main()
