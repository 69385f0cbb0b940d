"""Float16 exports: the weights of the linear layers and their matrix products in float16, the rest float32.

``models/export.py --precision fp16`` traces the model with :func:`float16_linears` in force: every
``nn.Linear`` of the model (except those in :data:`FLOAT32_LINEARS`) is exported as

    Cast(x, float16) -> MatMul(x16, W^T as a float16 initializer) [-> Add(bias16)] -> Cast(y, float32)

a standard ONNX pattern that ONNX Runtime's CUDA provider runs on tensor cores. The weights are wrapped, not
copied: the PyTorch model is unchanged and the float32 export (the default) is byte for byte what it was.

The graph's inputs and outputs stay float32 (``input_ids``..., every ``past*`` / ``present*`` state, ``logits``,
``last_hidden_state``, ``token_nll``), so the model contract, ``baton-model.json``'s state dtypes and every
reader are unchanged; the casts sit at each linear layer's edges. What stays float32, and why:

- **normalisation** (RMSNorm, LayerNorm): the mean of squares over the hidden axis and its reciprocal square
  root; in float16 the sum of 512 squares of activations of size ~10 overflows 65,504 and loses the small ones;
- **softmax** of attention, of the MoE gate, and the **log-softmax of the NLL** (``models/token_nll.py``): the
  exponentials and the sum over the keys or the vocabulary; ``logits`` are cast back to float32 before it;
- **the SSM scan** (Mamba-2 SSD: ``dt``, ``exp(cumsum(dt A))``, the decay matrix and the products with it and
  with the carried SSM state) and the conv over time: cumulative sums of log-decays over a segment lose
  their low bits in float16 (11-bit significand), and the error would be carried in the state to every
  later segment; the same for linear attention's running sums. ``dt`` itself comes out of the mixer's
  ``in_proj``, whose last ``heads`` outputs are therefore a separate float32 MatMul (the other outputs,
  z, x, B and C, float16): on the bench recipe that lowers the median difference from float32 by 15-20%;
- **attention's products with the carried keys/values** (``q k^T``, ``p v``): they read the float32 states;
- **decisions**: the MoE router (:data:`FLOAT32_LINEARS`: a top-k choice that a rounding can flip) and the
  Universal Transformer's halting unit;
- the **embedding table** (a lookup, no arithmetic) and output projections tied to it (gemma2, universal).

The precision is recorded as ``baton.precision`` in the ONNX model's ``metadata_props`` and as ``precision`` in
``baton-model.json`` (both only for float16: readers ignore unknown keys, and the float32 files are unchanged).
"""
from __future__ import annotations

import contextlib
import types
import warnings
from typing import Iterator, List

import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto

PRECISIONS = ("fp32", "fp16")
# Linear layers whose output is a discrete decision: kept float32 (matched on the attribute name).
FLOAT32_LINEARS = ("router", "halt")
METADATA_KEY = "baton.precision"


def _round16(t: torch.Tensor) -> torch.Tensor:
    return t.half().float()


class _Float16Linear(torch.autograd.Function):
    """``F.linear`` whose ONNX export casts to float16 around the MatMul (and Add of the bias). In PyTorch it
    emulates that in float32 (torch 1.13 has no float16 matmul on the CPU): inputs, weights and the result
    rounded to float16, the products summed in float32 (as cuBLAS's float16 GEMM with float32 accumulation)."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        y = _round16(F.linear(_round16(x), _round16(weight)))
        return y if bias is None else _round16(y + _round16(bias))

    @staticmethod
    def symbolic(g, x, weight, bias):
        x16 = g.op("Cast", x, to_i=TensorProto.FLOAT16)
        # Transpose and Cast of an initializer are folded into one float16 initializer (do_constant_folding).
        w16 = g.op("Cast", g.op("Transpose", weight, perm_i=[1, 0]), to_i=TensorProto.FLOAT16)
        y = g.op("MatMul", x16, w16)
        if bias is not None and not (hasattr(bias, "node") and bias.node().mustBeNone()):
            y = g.op("Add", y, g.op("Cast", bias, to_i=TensorProto.FLOAT16))
        return g.op("Cast", y, to_i=TensorProto.FLOAT)


def _half_forward(self: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    tail = getattr(self, "float32_outputs", 0)
    if not tail:
        return _Float16Linear.apply(x, self.weight, self.bias)
    # The last ``tail`` outputs (a Mamba mixer's dt) in float32, the others in float16.
    head = self.weight.shape[0] - tail
    bias = (None, None) if self.bias is None else (self.bias[:head], self.bias[head:])
    return torch.cat([_Float16Linear.apply(x, self.weight[:head], bias[0]),
                      F.linear(x, self.weight[head:], bias[1])], dim=-1)


def float16_linear_names(model: nn.Module) -> List[str]:
    """The linear layers an fp16 export computes in float16."""
    return [name for name, m in model.named_modules()
            if isinstance(m, nn.Linear) and name.rsplit(".", 1)[-1] not in FLOAT32_LINEARS]


@contextlib.contextmanager
def float16_linears(model: nn.Module) -> Iterator[None]:
    """While in force, each of :func:`float16_linear_names`' layers exports as a float16 MatMul."""
    wrapped = [m for name, m in model.named_modules() if name in set(float16_linear_names(model))]
    for m in wrapped:
        m.forward = types.MethodType(_half_forward, m)
    tails = [(m.in_proj, m.heads) for m in model.modules() if hasattr(m, "in_proj") and hasattr(m, "dt_bias")]
    for proj, heads in tails:
        proj.float32_outputs = heads
    try:
        with warnings.catch_warnings():
            # torch 1.13 warns that g.op on a torch.Graph is deprecated; 2.x hands symbolic a GraphContext.
            warnings.filterwarnings("ignore", message=".*_graph_op.*is deprecated", category=FutureWarning)
            yield
    finally:
        for m in wrapped:
            del m.forward
        for proj, _ in tails:
            del proj.float32_outputs
