"""Real text for tests and goldens, read from the shared corpus (never copied into the tree)."""
from __future__ import annotations

import os
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    """``$BATON_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    path = Path(os.environ.get("BATON_SHARED_DATA", REPO.parent / "shared" / "data"))
    if not (path / "corpus").is_dir():
        raise FileNotFoundError(f"shared corpus not found at {path} (set BATON_SHARED_DATA)")
    return path


def moby_dick_bytes(start: int, length: int) -> bytes:
    text = (shared_data() / "corpus" / "moby-dick" / "moby-dick.txt").read_bytes()
    return text[start:start + length]


def byte_ids(chunks) -> torch.Tensor:
    """Byte-level token ids (the zoo's tokenizer maps byte b to id b): [B, N] int64."""
    return torch.tensor([list(c) for c in chunks], dtype=torch.int64)
