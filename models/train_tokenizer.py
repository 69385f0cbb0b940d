"""Train the byte-level BPE ``tokenizer.json`` of the trained models on the training split.

    python3 -m models.train_tokenizer --text .train-carry/text.json.gz --vocab 4096 \
        --out models/tokenizer/baton-bpe-4096.json
    python3 -m models.train_tokenizer --corpus ../shared/data --vocab 8192 --out bpe-8192.json

Needs the ``tokenizers`` package (the GPU machine has it; elsewhere pip's wheel, on PYTHONPATH). Byte-level: the initial alphabet
is all 256 bytes spelled in GPT-2's byte alphabet (ids 0..255 are not the byte values here),
so any UTF-8 text encodes without unknowns and decodes back exactly. No normaliser and no
post-processor, so offsets cover the text without gaps (a leading space belongs to the word
after it), and no special tokens.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .train_data import corpus_documents, encode_all, read_packed


def train(docs, vocab_size: int, out: Path) -> dict:
    """Trains on ``docs`` (the training split's ``(name, text)`` pairs) and checks the result."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    # use_regex=True: GPT-2's split into words, numbers and punctuation before merging.
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator((text for _, text in docs), trainer=trainer, length=len(docs))
    out.parent.mkdir(parents=True, exist_ok=True)
    tok.save(str(out))
    return check(out, docs)


def check(path: Path, docs) -> dict:
    """Round trip and offsets on the training text and on text outside the training alphabet."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(path))
    samples = [text[:20_000] for _, text in docs[:20]] + ["Ünïcödé — 東京 🐳 \t\r\n  x", ""]
    gaps = 0
    for text in samples:
        enc = tok.encode(text)
        if tok.decode(enc.ids) != text:
            raise AssertionError(f"round trip failed for {text[:40]!r}")
        # Offsets tile the text: each token's span starts where the previous one ended (a
        # character split over two tokens gives both tokens its span).
        end = 0
        for a, b in enc.offsets:
            gaps += a > end
            end = max(end, b)
        gaps += end != len(text)
    n_bytes = sum(len(t.encode("utf-8")) for _, t in docs)
    n_tokens = sum(len(ids) for ids in encode_all(tok, [t for _, t in docs]))
    return {"vocab_size": tok.get_vocab_size(), "offset_gaps": gaps, "train_bytes": n_bytes, "train_tokens": n_tokens,
            "bytes_per_token": round(n_bytes / n_tokens, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    text = parser.add_mutually_exclusive_group(required=True)
    text.add_argument("--text", type=Path, help="packed text from models.train_data")
    text.add_argument("--corpus", type=Path, help="the corpus folder itself (docs/training.md)")
    parser.add_argument("--vocab", type=int, default=4096)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    docs = read_packed(args.text)["train"] if args.text else corpus_documents(args.corpus)["train"]
    print(json.dumps(train(docs, args.vocab, args.out)))


if __name__ == "__main__":
    main()
