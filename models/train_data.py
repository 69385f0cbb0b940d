"""Training and validation text, packed for a training run, and its token streams.

The training corpus is not in the repository (docs/training.md says where to get it); its folder
is an argument. ``pack`` writes the text a run needs into one compact file (gzip JSON), which
travels with the run:

    /usr/bin/python3 -m models.train_data --corpus DIR --out .train-carry/text.json.gz

``DIR`` holds ``corpus/sotu/*.txt`` (all addresses), ``corpus/moby-dick/moby-dick.txt``,
``corpus/gutenberg/gutenberg-NN.txt.gz`` (books separated by a line holding only ``\x1e``),
``eval/squality/squality_{train,dev}_plot.jsonl`` and ``eval/qmsum/qmsum_{train,val}_general.jsonl``.
Splits (addresses from 2001 on and the last Gutenberg shard are held out):

* ``train``: State of the Union addresses before 2001, Moby Dick, every Gutenberg shard but the
  last, the SQuALITY train stories, the QMSum train meetings;
* ``val``: the addresses from 2001 on (the corpus has them to 2021), the first books of the last
  Gutenberg shard under ``GUTENBERG_VAL_BOOK_CHARS`` characters until ``GUTENBERG_VAL_CHARS`` (a
  bounded, fixed sample: the rest of that shard is used for nothing), the SQuALITY dev stories and
  the QMSum validation meetings.

A folder without ``corpus/gutenberg`` or ``eval/qmsum`` (the corpus of the first trained models)
gives the splits without them.

``tokenize`` turns the packed text (or the corpus folder itself: ``--corpus DIR --tokenizer T
--out tokens.npz``, for a corpus too large to pack and carry) into token ids with a ``tokenizer.json`` (needs the
``tokenizers`` package) and stores, per split, the ids of all documents end to end plus each
document's start, and the UTF-8 byte length of every token (for bits per byte).
"""
from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np

HELD_OUT_FROM_YEAR = 2001
Documents = Dict[str, List[Tuple[str, str]]]      # split -> [(name, text)]


def corpus_documents(data: Path) -> Documents:
    """The training and validation documents of the corpus folder ``data``, in a fixed order."""
    if not (data / "corpus" / "sotu").is_dir():
        raise FileNotFoundError(f"no training corpus at {data} (corpus/sotu is missing; see docs/training.md)")
    out: Documents = {"train": [], "val": []}
    for path in sorted((data / "corpus" / "sotu").glob("*.txt")):
        split = "val" if int(path.name[:4]) >= HELD_OUT_FROM_YEAR else "train"
        out[split].append((f"sotu/{path.name}", path.read_text(encoding="utf-8")))
    out["train"].append(("moby-dick", (data / "corpus" / "moby-dick" / "moby-dick.txt").read_text(encoding="utf-8")))
    for split, items in gutenberg_documents(data / "corpus" / "gutenberg").items():
        out[split].extend(items)
    for split, name in (("train", "squality_train_plot.jsonl"), ("val", "squality_dev_plot.jsonl")):
        out[split].extend(jsonl_documents(data / "eval" / "squality" / name, "squality"))
    for split, name in (("train", "qmsum_train_general.jsonl"), ("val", "qmsum_val_general.jsonl")):
        path = data / "eval" / "qmsum" / name
        if path.exists():
            out[split].extend(jsonl_documents(path, "qmsum"))
    return out


GUTENBERG_VAL_CHARS = 2_000_000        # validation sample of the last shard, in characters
GUTENBERG_VAL_BOOK_CHARS = 300_000     # longer books are skipped (evaluation time goes with the longest)
BOOK_SEPARATOR = "\n\x1e\n"


def gutenberg_documents(folder: Path) -> Documents:
    """Books of ``gutenberg-NN.txt.gz`` shards: all but the last shard for training, a bounded
    sample of the last for validation. Named ``gutenberg/NN/i`` (shard, place in it)."""
    out: Documents = {"train": [], "val": []}
    shards = sorted(folder.glob("gutenberg-*.txt.gz")) if folder.is_dir() else []
    for n, shard in enumerate(shards):
        with gzip.open(shard, "rt", encoding="utf-8") as f:
            books = [b.strip("\n") for b in f.read().split(BOOK_SEPARATOR)]
        books = [(f"gutenberg/{shard.name[10:12]}/{i}", b) for i, b in enumerate(books) if b.strip()]
        if n < len(shards) - 1:
            out["train"].extend(books)
            continue
        taken = 0
        for name, book in books:
            if taken >= GUTENBERG_VAL_CHARS:
                break
            if len(book) <= GUTENBERG_VAL_BOOK_CHARS:
                out["val"].append((name, book))
                taken += len(book)
    return out


def jsonl_documents(path: Path, source: str) -> List[Tuple[str, str]]:
    """The ``document`` of each row of an evaluation set, once per ``id`` (a SQuALITY story may
    appear once per question set), named ``source/id``."""
    seen, out = set(), []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] not in seen:
            seen.add(row["id"])
            out.append((f"{source}/{row['id']}", row["document"]))
    return out


def pack(out: Path, data: Path) -> Documents:
    docs = corpus_documents(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as f:
        json.dump(docs, f, ensure_ascii=False)
    return docs


def read_packed(path: Path) -> Documents:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def source_of(name: str) -> str:
    """The source a document belongs to (``sotu``, ``moby-dick``, ``squality``)."""
    return name.split("/", 1)[0]


# ----------------------------------------------------------------------------------------------
# Token streams
# ----------------------------------------------------------------------------------------------

def token_bytes_table(tokenizer) -> np.ndarray:
    """UTF-8 bytes each token id stands for, from a byte-level ``tokenizers.Tokenizer``."""
    alphabet = byte_alphabet()
    table = np.zeros(tokenizer.get_vocab_size(), dtype=np.int32)
    for piece, idx in tokenizer.get_vocab().items():
        if any(c not in alphabet for c in piece):
            raise ValueError(f"token {idx} {piece!r} is not spelled in the byte-level alphabet")
        table[idx] = len(piece)
    return table


def byte_alphabet() -> Dict[str, int]:
    """GPT-2's printable spelling of the 256 bytes (the ByteLevel pre-tokenizer's alphabet)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[chr(b)] = b
        else:
            chars[chr(256 + extra)] = b
            extra += 1
    return chars


def tokenize(docs: Documents, tokenizer_path: Path, out: Path) -> dict:
    """Token ids of every document (int32), document starts, names and token byte lengths."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(tokenizer_path))
    arrays, summary = {}, {}
    for split, items in docs.items():
        ids = [np.asarray(i, dtype=np.int32) for i in encode_all(tok, [text for _, text in items])]
        arrays[f"{split}_ids"] = np.concatenate(ids)
        arrays[f"{split}_starts"] = np.cumsum([0] + [len(i) for i in ids]).astype(np.int64)
        arrays[f"{split}_names"] = np.array([name for name, _ in items])
        n_bytes = sum(len(text.encode("utf-8")) for _, text in items)
        summary[split] = {"documents": len(items), "tokens": int(len(arrays[f"{split}_ids"])),
                          "bytes": n_bytes, "bytes_per_token": n_bytes / len(arrays[f"{split}_ids"])}
    arrays["token_bytes"] = token_bytes_table(tok)
    np.savez(out, **arrays)
    return summary


def encode_all(tok, texts: List[str], chunk: int = 32) -> List[List[int]]:
    """Token ids of each text, encoded ``chunk`` texts at a time in parallel (a whole corpus of
    ``Encoding`` objects at once, offsets and all, would take many times its size in memory)."""
    out: List[List[int]] = []
    for first in range(0, len(texts), chunk):
        out.extend(e.ids for e in tok.encode_batch(texts[first:first + chunk]))
    return out


def golden_token_ids(tokenizer_path: Path, text: bytes, count: int) -> List[int]:
    """The first ``count`` token ids of ``text`` (bytes; a partial first character is skipped)."""
    from tokenizers import Tokenizer
    start = 0
    while start < len(text) and (text[start] & 0xC0) == 0x80:
        start += 1
    ids = Tokenizer.from_file(str(tokenizer_path)).encode(text[start:].decode("utf-8", errors="ignore")).ids
    if len(ids) < count:
        raise ValueError(f"the text gives {len(ids)} tokens, fewer than {count}")
    return ids[:count]


class TokenData:
    """Documents of one split as token id arrays, with the byte length of each token id."""

    def __init__(self, docs: List[np.ndarray], names: List[str], token_bytes: np.ndarray):
        self.docs, self.names, self.token_bytes = docs, names, token_bytes

    @classmethod
    def load(cls, path: Path, split: str) -> "TokenData":
        z = np.load(path)
        ids, starts = z[f"{split}_ids"], z[f"{split}_starts"]
        docs = [ids[starts[i]:starts[i + 1]].astype(np.int64) for i in range(len(starts) - 1)]
        return cls(docs, [str(n) for n in z[f"{split}_names"]], z["token_bytes"])

    @property
    def tokens(self) -> int:
        return int(sum(len(d) for d in self.docs))


def main() -> None:
    parser = argparse.ArgumentParser(description="pack the training/validation text, or tokenize it")
    parser.add_argument("--out", type=Path, required=True, help="packed text (.json.gz) or tokens (.npz)")
    parser.add_argument("--corpus", type=Path, help="the training corpus folder (docs/training.md)")
    parser.add_argument("--tokenize", type=Path, metavar="PACKED", help="tokenize this packed text")
    parser.add_argument("--tokenizer", type=Path, help="tokenizer.json: tokenize (--tokenize, or --corpus directly)")
    args = parser.parse_args()
    if args.tokenizer:
        if not (args.tokenize or args.corpus):
            parser.error("--tokenizer needs the text: --tokenize PACKED or --corpus DIR")
        docs = read_packed(args.tokenize) if args.tokenize else corpus_documents(args.corpus)
        print(json.dumps(tokenize(docs, args.tokenizer, args.out), indent=2))
    elif args.corpus:
        docs = pack(args.out, args.corpus)
        print(json.dumps({k: {"documents": len(v), "bytes": sum(len(t.encode()) for _, t in v)}
                          for k, v in docs.items()}, indent=2))
    else:
        parser.error("give --corpus DIR to pack the text, or --tokenize PACKED --tokenizer T")


if __name__ == "__main__":
    main()
