"""Text of SQuALITY's kind from the corpus: books ranked by cross-entropy difference (Moore and
Lewis, 2010) between a word model of SQuALITY's training stories and one of the whole training
split, packed with those stories for a short continued run of a trained model (issue 17).

    /usr/bin/python3 -m models.domain_select --corpus ../shared/data --out .train-carry/adapt.json.gz \
        --select-chars 60000000

A book's score is the mean, over its words, of ``log p_general(w | prev) - log p_domain(w | prev)``
(word bigrams interpolated with unigrams, add-one unigrams over the union of both vocabularies):
low where the book reads like the stories. Only the training split's books are ranked (Gutenberg
shards but the last); validation is the corpus's own validation split, unchanged, plus
``--held-out`` SQuALITY training stories (source ``squality-held``) taken out of the in-domain
model and out of training, so that a run can choose its weights without SQuALITY dev.

The packed file has the layout of ``models.train_data`` (``train``/``val`` lists of
``[name, text]``), so ``models.train_data --tokenize`` reads it; ``OUT.selection.json`` beside it
lists the books taken with their scores.
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

from models.train_data import Documents, corpus_documents, source_of

WORD = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]")
BIGRAM_WEIGHT = 0.6


def words(text: str) -> List[str]:
    return WORD.findall(text.lower())


class WordModel:
    """Bigrams interpolated with add-one unigrams over a fixed vocabulary size."""

    def __init__(self, texts: Iterable[str], vocabulary: int):
        self.unigrams: Counter = Counter()
        self.bigrams: Counter = Counter()
        for text in texts:
            w = words(text)
            self.unigrams.update(w)
            self.bigrams.update(zip(w, w[1:]))
        self.total = sum(self.unigrams.values())
        self.vocabulary = vocabulary

    def unigram(self, w: str) -> float:
        return (self.unigrams.get(w, 0) + 1) / (self.total + self.vocabulary)

    def logprob(self, prev: str, w: str) -> float:
        uni = self.unigram(w)
        seen = self.unigrams.get(prev, 0)
        bi = self.bigrams.get((prev, w), 0) / seen if seen else 0.0
        return math.log(BIGRAM_WEIGHT * bi + (1 - BIGRAM_WEIGHT) * uni) if seen else math.log(uni)


def score(text: str, domain: WordModel, general: WordModel, limit: int = 200_000) -> float:
    """Mean cross-entropy difference per word over the first ``limit`` words (lower: more in-domain)."""
    w = words(text)[:limit]
    if len(w) < 2:
        return math.inf
    return sum(general.logprob(p, x) - domain.logprob(p, x) for p, x in zip(w, w[1:])) / (len(w) - 1)


def vocabulary_size(*texts: Sequence[str]) -> int:
    return len({w for group in texts for t in group for w in words(t)})


def select(docs: Documents, select_chars: int, held_out: int, general_sample: int, repeat_stories: int = 1,
           keep_sources: Sequence[str] = (), seed: int = 0) -> Tuple[Documents, List[dict]]:
    stories = [(n, t) for n, t in docs["train"] if source_of(n) == "squality"]
    rng = random.Random(seed)
    held = set(rng.sample(range(len(stories)), held_out)) if held_out else set()
    domain_stories = [s for i, s in enumerate(stories) if i not in held]
    held_stories = [(f"squality-held/{n.split('/', 1)[1]}", t) for i, (n, t) in enumerate(stories) if i in held]
    books = [(n, t) for n, t in docs["train"] if source_of(n) == "gutenberg"]
    pool = [t for n, t in docs["train"] if source_of(n) != "squality"]
    general_texts = rng.sample(pool, min(general_sample, len(pool)))
    vocab = vocabulary_size([t for _, t in domain_stories], general_texts)
    domain = WordModel((t for _, t in domain_stories), vocab)
    general = WordModel(general_texts, vocab)
    ranked = sorted(((score(t, domain, general), n, t) for n, t in books), key=lambda r: r[0])
    chosen, taken = [], 0
    for s, n, t in ranked:
        if taken >= select_chars:
            break
        chosen.append((n, t, s))
        taken += len(t)
    repeated = [(f"{n}#{r}" if r else n, t) for r in range(repeat_stories) for n, t in domain_stories]
    kept = [(n, t) for n, t in docs["train"] if source_of(n) in keep_sources]
    packed: Documents = {"train": [(n, t) for n, t, _ in chosen] + repeated + kept,
                         "val": list(docs["val"]) + held_stories}
    selection = [{"name": n, "score": round(s, 4), "chars": len(t),
                  "opening": " ".join(t[:2000].split())[:120]} for n, t, s in chosen]
    return packed, selection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True, help="the training corpus folder (docs/training.md)")
    parser.add_argument("--out", type=Path, required=True, help="packed text (.json.gz)")
    parser.add_argument("--select-chars", type=int, default=60_000_000, help="characters of books to take")
    parser.add_argument("--held-out", type=int, default=10, help="SQuALITY training stories kept for choosing")
    parser.add_argument("--general-sample", type=int, default=300, help="training documents in the general model")
    parser.add_argument("--repeat-stories", type=int, default=1, help="times each SQuALITY training story is taken")
    parser.add_argument("--keep", action="append", default=[], metavar="SOURCE",
                        help="also train on this source's training documents as they are (e.g. qmsum)")
    args = parser.parse_args()
    docs = corpus_documents(args.corpus)
    packed, selection = select(docs, args.select_chars, args.held_out, args.general_sample, args.repeat_stories,
                               args.keep)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wt", encoding="utf-8") as f:
        json.dump(packed, f, ensure_ascii=False)
    Path(str(args.out) + ".selection.json").write_text(json.dumps(selection, indent=1, ensure_ascii=False) + "\n")
    chars = sum(s["chars"] for s in selection)
    print(json.dumps({"books": len(selection), "book_chars": chars,
                      "train_documents": len(packed["train"]), "val_documents": len(packed["val"]),
                      "score_range": [selection[0]["score"], selection[-1]["score"]] if selection else None}))
    for s in selection[:15] + selection[-5:]:
        print(f"{s['score']:8.4f} {s['chars']:>9} {s['name']:<18} {s['opening'][:90]}")


if __name__ == "__main__":
    main()
