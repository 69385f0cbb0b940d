"""The registry of model families: name -> (module, model class, config class).

Each family lives in one file that reads top to bottom: config dataclass, blocks, model.
"""
from __future__ import annotations

import importlib
from typing import Dict, Tuple

from .blocks import HybridLM

FAMILIES: Dict[str, Tuple[str, str, str]] = {
    "jamba": ("models.jamba", "Jamba", "JambaConfig"),
    "gemma2": ("models.gemma2", "Gemma2", "Gemma2Config"),
    "transformer_xl": ("models.transformer_xl", "TransformerXL", "TransformerXLConfig"),
    "longformer": ("models.longformer", "Longformer", "LongformerConfig"),
    "universal": ("models.universal", "UniversalTransformer", "UniversalConfig"),
    "conv_attention": ("models.conv_attention", "ConvAttention", "ConvAttentionConfig"),
    "linear_attention": ("models.linear_attention", "LinearAttention", "LinearAttentionConfig"),
}


def config_class(family: str):
    module, _, config = _entry(family)
    return getattr(importlib.import_module(module), config)


def build(family: str, **overrides) -> HybridLM:
    """A seeded, random-initialised model of ``family``; ``overrides`` go to its config."""
    module, model, _ = _entry(family)
    mod = importlib.import_module(module)
    model_cls = getattr(mod, model)
    return model_cls(config_class(family)(**overrides)).eval()


def _entry(family: str) -> Tuple[str, str, str]:
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {', '.join(FAMILIES)}")
    return FAMILIES[family]
