"""Real text for tests and goldens: the repository's ``data/`` folder (``data/README.md``)."""
from __future__ import annotations

from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"


def moby_dick_bytes(start: int, length: int) -> bytes:
    text = (DATA / "corpus" / "moby-dick" / "moby-dick.txt").read_bytes()
    return text[start:start + length]


def byte_ids(chunks) -> torch.Tensor:
    """Byte-level token ids (the zoo's tokenizer maps byte b to id b): [B, N] int64."""
    return torch.tensor([list(c) for c in chunks], dtype=torch.int64)
