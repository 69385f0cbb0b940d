#!/usr/bin/python3
"""Predict where ONNX Runtime (1.22) places the nodes of a model for the CUDA execution provider,
and which Memcpy nodes (MemcpyFromHost / MemcpyToHost) its MemcpyTransformer then inserts.

    /usr/bin/python3 bench/ort_placement.py MODEL.onnx [--no-fold-shape] [--no-data-prop] [-v]

Simulates, in order (as InferenceSession::TransformGraph does):

1. Level-1 graph optimisations, approximately: Constant nodes become initializers; then, until
   nothing changes: ONNX shape inference (ORT resolves the graph with the same functions);
   EliminateIdentity, CastElimination (Cast to the same type); ConstantFolding (a Shape node whose
   input shape is fully static becomes an initializer; a deterministic node whose inputs are all
   initializers is evaluated with numpy); CommonSubexpressionElimination (identical op, inputs and
   attributes). ReshapeFusion, NoopElimination, LayerNorm/Gelu fusions and the transpose
   optimiser are not simulated (they act on float math or on shape chains that stay on the CPU
   either way).
2. Partitioning: every node with a CUDA kernel is tentative for CUDA, then
   fallback_cpu_capability.cc GetCpuPreferredNodes moves the small CPU-only subgraphs to the CPU EP.
3. transformer_memcpy.cc: counts the copy nodes: a graph input read both on the device and on the
   host, a host tensor (CPU node output or CPU-output of a CUDA kernel, e.g. Shape) read by a CUDA
   kernel at a device input, and a device tensor read on the host (by a CPU node or by a CUDA
   kernel at an input it declares in CPU memory).

Prints the CPU nodes, each predicted Memcpy with producer and consumers, and the count
"N Memcpy nodes are added to the graph" as ORT would log it.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, shape_inference

SMALL_INITIALIZER = 100      # kSmallInitializerThreshold in fallback_cpu_capability.cc

T = TensorProto
FLOATS = {T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}
INTS = {T.INT8, T.INT16, T.INT32, T.INT64, T.UINT8, T.UINT16, T.UINT32, T.UINT64}
ALL = FLOATS | INTS | {T.BOOL}
TYPE_NAME = {v: k for k, v in T.DataType.items()}

# ----------------------------------------------------------------------------------------------
# The CUDA EP's kernels (onnxruntime/core/providers/cuda, 1.22), as far as this model zoo needs them.
#   types: element types of the type-constrained input ("T") the CUDA kernel is registered for
#          (input index given by 'tin'); None = any fixed-size type.
#   cpu_in: input indices the kernel declares InputMemoryType(OrtMemTypeCPUInput).
#   cpu_out: output indices declared OutputMemoryType(OrtMemTypeCPUOutput).
# '?' in the note marks entries not checked against the source.
# ----------------------------------------------------------------------------------------------
BINARY = {T.INT32, T.INT64, T.UINT32, T.UINT64, T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}
CMP = {T.INT32, T.INT64, T.UINT32, T.UINT64, T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}
FLT = {T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}
CUDA = {
    # op: (types, tin, cpu_in, cpu_out)
    "Shape": (None, 0, (), (0,)),
    "Size": (None, 0, (), (0,)),
    "Identity": (None, 0, (), ()),
    "Reshape": (None, 0, (1,), ()),
    "Expand": (None, 0, (1,), ()),
    "Unsqueeze": (None, 0, (1,), ()),
    "Squeeze": (None, 0, (1,), ()),
    "Slice": (None, 0, (1, 2, 3, 4), ()),
    "Tile": (None, 0, (1,), ()),
    "ConstantOfShape": (None, 0, (0,), ()),
    "Range": ({T.INT16, T.INT32, T.INT64, T.FLOAT, T.DOUBLE}, 0, (0, 1, 2), ()),
    "TopK": ({T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16, T.INT8, T.INT16, T.INT32, T.INT64,
              T.UINT8, T.UINT16, T.UINT32, T.UINT64}, 0, (1,), ()),
    "Split": (None, 0, (1,), ()),
    "CumSum": ({T.INT32, T.INT64, T.UINT32, T.UINT64, T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}, 0, (1,), ()),
    "Pad": (FLT | {T.INT32, T.INT64, T.BOOL}, 0, (1, 2, 3), ()),
    "Trilu": (None, 0, (1,), ()),
    "OneHot": ({T.INT64, T.INT32, T.FLOAT}, 0, (1,), ()),
    "Resize": (FLT | {T.INT32, T.UINT8, T.INT8}, 0, (1, 2, 3), ()),
    "Clip": ({T.FLOAT, T.DOUBLE, T.FLOAT16, T.INT8, T.UINT8, T.INT64, T.UINT64}, 0, (1, 2), ()),
    "ReduceSum": (FLT | {T.INT32, T.INT64}, 0, (1,), ()),       # opset 13+: axes input on CPU
    "ReduceMean": (FLT | {T.INT32}, 0, (1,), ()),                # axes input only from opset 18
    "ReduceMax": (FLT | {T.INT32, T.INT64, T.INT8, T.UINT8}, 0, (1,), ()),
    "ReduceMin": (FLT | {T.INT32, T.INT64, T.INT8, T.UINT8}, 0, (1,), ()),
    "ReduceProd": (FLT | {T.INT32}, 0, (1,), ()),
    "ReduceL2": (FLT | {T.INT32}, 0, (1,), ()),
    "ReduceLogSumExp": (FLT, 0, (1,), ()),
    "If": (None, 0, (0,), ()),
    "Loop": (None, 0, (0, 1), ()),
    "Dropout": (FLT, 0, (1, 2), ()),
    "Gather": (None, 0, (), ()),
    "GatherElements": (None, 0, (), ()),
    "GatherND": (None, 0, (), ()),
    "ScatterElements": (None, 0, (), ()),
    "ScatterND": (None, 0, (), ()),
    "Concat": (None, 0, (), ()),
    "Transpose": (None, 0, (), ()),
    "Cast": (ALL, 0, (), ()),
    "Add": (BINARY, 0, (), ()), "Sub": (BINARY, 0, (), ()), "Mul": (BINARY, 0, (), ()),
    "Div": (BINARY, 0, (), ()),
    "Pow": ({T.INT32, T.INT64, T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}, 0, (), ()),
    "Mod": ({T.INT32, T.INT64, T.UINT32, T.UINT64, T.FLOAT, T.DOUBLE, T.FLOAT16}, 0, (), ()),
    "Max": (BINARY, 0, (), ()), "Min": (BINARY, 0, (), ()),
    "Equal": (CMP | {T.BOOL}, 0, (), ()),
    "Greater": (CMP, 0, (), ()), "Less": (CMP, 0, (), ()),
    "GreaterOrEqual": (CMP, 0, (), ()), "LessOrEqual": (CMP, 0, (), ()),
    "Not": ({T.BOOL}, 0, (), ()), "And": ({T.BOOL}, 0, (), ()), "Or": ({T.BOOL}, 0, (), ()),
    "Xor": ({T.BOOL}, 0, (), ()),
    "Where": ({T.UINT8, T.INT32, T.INT64, T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}, 1, (), ()),  # no bool X/Y
    "Neg": ({T.INT8, T.INT16, T.INT32, T.INT64, T.FLOAT, T.DOUBLE, T.FLOAT16, T.BFLOAT16}, 0, (), ()),
    "Abs": ({T.INT8, T.INT16, T.INT32, T.INT64, T.UINT8, T.UINT16, T.UINT32, T.UINT64} | FLT, 0, (), ()),
    "Sign": (None, 0, (), ()),
    "Floor": (FLT, 0, (), ()), "Ceil": (FLT, 0, (), ()), "Round": (FLT, 0, (), ()),
    "Exp": (FLT, 0, (), ()), "Log": (FLT, 0, (), ()), "Sqrt": (FLT, 0, (), ()),
    "Reciprocal": (FLT, 0, (), ()), "Sigmoid": (FLT, 0, (), ()), "Tanh": (FLT, 0, (), ()),
    "Erf": (FLT, 0, (), ()), "Softplus": (FLT, 0, (), ()), "Relu": (FLT | {T.INT8, T.INT32}, 0, (), ()),
    "Sin": (FLT, 0, (), ()), "Cos": (FLT, 0, (), ()),
    "Elu": (FLT, 0, (), ()), "Selu": (FLT, 0, (), ()), "LeakyRelu": (FLT, 0, (), ()),
    "HardSigmoid": (FLT, 0, (), ()), "ThresholdedRelu": (FLT, 0, (), ()), "Softsign": (FLT, 0, (), ()),
    "PRelu": (FLT, 0, (), ()), "Gelu": (FLT, 0, (), ()),
    "Softmax": (FLT, 0, (), ()), "LogSoftmax": (FLT, 0, (), ()),
    "MatMul": (FLT, 0, (), ()), "Gemm": (FLT, 0, (), ()),
    "Conv": (FLT, 0, (), ()),
    "LayerNormalization": (FLT, 0, (), ()),
    "ArgMax": (FLT, 0, (), ()), "ArgMin": (FLT, 0, (), ()),
    "NonZero": ({T.BOOL, T.UINT8, T.INT32, T.INT64, T.FLOAT, T.FLOAT16}, 0, (), ()),
    "Compress": (None, 0, (), ()),
    "IsNaN": (FLT, 0, (), ()), "IsInf": (FLT, 0, (), ()),
    "Einsum": (FLT, 0, (), ()),
}

NONDETERMINISTIC = {"RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial",
                    "Bernoulli", "Dropout"}


def node_opset_cpu_inputs(op: str, opset: int):
    """Inputs the CUDA kernel takes in CPU memory, by opset where it matters."""
    cpu_in = CUDA[op][2]
    if op in ("ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceLogSumExp") and opset < 18:
        return ()     # axes are an attribute before opset 18
    if op == "ReduceSum" and opset < 13:
        return ()
    if op in ("Squeeze", "Unsqueeze", "Split") and opset < 13:
        return ()
    return cpu_in


# ----------------------------------------------------------------------------------------------
# numpy evaluation of constant nodes (ConstantFolding)
# ----------------------------------------------------------------------------------------------

def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


NP = {T.FLOAT: np.float32, T.DOUBLE: np.float64, T.FLOAT16: np.float16, T.INT8: np.int8, T.INT16: np.int16,
      T.INT32: np.int32, T.INT64: np.int64, T.UINT8: np.uint8, T.UINT16: np.uint16, T.UINT32: np.uint32,
      T.UINT64: np.uint64, T.BOOL: np.bool_}


def _div(a, b):
    if np.issubdtype(a.dtype, np.integer):
        return (np.trunc(a.astype(np.float64) / b.astype(np.float64))).astype(a.dtype)
    return (a / b).astype(a.dtype)


def evaluate(node, xs):
    """Outputs of ``node`` for numpy inputs ``xs`` (None for a missing optional input), or None when
    the op is not implemented here."""
    op = node.op_type
    x = xs[0] if xs else None
    if op == "Identity":
        return [x]
    if op == "Cast":
        return [x.astype(NP[attr(node, "to")])]
    if op in ("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mod", "Equal", "Less", "Greater",
              "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"):
        a, b = xs[0], xs[1]
        f = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Div": _div, "Pow": np.power,
             "Max": np.maximum, "Min": np.minimum, "Mod": np.fmod if attr(node, "fmod", 0) else np.mod,
             "Equal": np.equal, "Less": np.less, "Greater": np.greater, "LessOrEqual": np.less_equal,
             "GreaterOrEqual": np.greater_equal, "And": np.logical_and, "Or": np.logical_or,
             "Xor": np.logical_xor}[op]
        out = f(a, b)
        if op in ("Add", "Sub", "Mul", "Pow", "Max", "Min", "Mod"):
            out = np.asarray(out).astype(a.dtype)
        if op in ("Max", "Min") and len(xs) > 2:
            for c in xs[2:]:
                out = f(out, c)
        return [np.asarray(out)]
    if op in ("Neg", "Not", "Abs", "Sqrt", "Exp", "Log", "Reciprocal", "Floor", "Ceil", "Sigmoid", "Softplus",
              "Tanh", "Sign"):
        f = {"Neg": np.negative, "Not": np.logical_not, "Abs": np.abs, "Sqrt": np.sqrt, "Exp": np.exp,
             "Log": np.log, "Reciprocal": np.reciprocal, "Floor": np.floor, "Ceil": np.ceil,
             "Sigmoid": lambda v: 1 / (1 + np.exp(-v)), "Softplus": lambda v: np.log1p(np.exp(v)),
             "Tanh": np.tanh, "Sign": np.sign}[op]
        return [np.asarray(f(x)).astype(x.dtype)]
    if op == "Shape":
        shape = np.array(x.shape, dtype=np.int64)
        start, end = attr(node, "start", 0), attr(node, "end", None)
        return [shape[start:end]]
    if op == "Size":
        return [np.array(x.size, dtype=np.int64)]
    if op == "Gather":
        return [np.take(x, xs[1], axis=attr(node, "axis", 0))]
    if op == "Unsqueeze":
        axes = list(xs[1]) if len(xs) > 1 else attr(node, "axes")
        out = x
        rank = x.ndim + len(axes)
        for a in sorted(a % rank for a in axes):
            out = np.expand_dims(out, a)
        return [out]
    if op == "Squeeze":
        axes = list(xs[1]) if len(xs) > 1 and xs[1] is not None else attr(node, "axes")
        return [np.squeeze(x, axis=tuple(a % x.ndim for a in axes)) if axes is not None else np.squeeze(x)]
    if op == "Concat":
        return [np.concatenate([v for v in xs], axis=attr(node, "axis"))]
    if op == "Reshape":
        shape = [int(s) for s in xs[1]]
        if not attr(node, "allowzero", 0):
            shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
        return [x.reshape(shape)]
    if op == "Transpose":
        return [np.transpose(x, attr(node, "perm"))]
    if op == "Slice":
        starts, ends = xs[1], xs[2]
        axes = xs[3] if len(xs) > 3 and xs[3] is not None else list(range(len(starts)))
        steps = xs[4] if len(xs) > 4 and xs[4] is not None else [1] * len(starts)
        sl = [slice(None)] * x.ndim
        for s, e, a, st in zip(starts, ends, axes, steps):
            sl[int(a) % x.ndim] = slice(int(s), int(e), int(st))
        return [x[tuple(sl)]]
    if op == "Range":
        return [np.arange(xs[0], xs[1], xs[2]).astype(xs[0].dtype)]
    if op == "ConstantOfShape":
        value = attr(node, "value")
        v = numpy_helper.to_array(value) if value is not None else np.zeros(1, np.float32)
        return [np.full([int(s) for s in x], v.reshape(-1)[0], dtype=v.dtype)]
    if op == "Where":
        return [np.where(xs[0], xs[1], xs[2])]
    if op == "Expand":
        shape = [int(s) for s in xs[1]]
        return [x * np.ones(shape, dtype=x.dtype)]
    if op == "Tile":
        return [np.tile(x, [int(r) for r in xs[1]])]
    if op in ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd"):
        axes = attr(node, "axes")
        if op == "ReduceSum" and len(xs) > 1 and xs[1] is not None:
            axes = list(xs[1])
        keep = bool(attr(node, "keepdims", 1))
        f = {"ReduceSum": np.sum, "ReduceMean": np.mean, "ReduceMax": np.max, "ReduceMin": np.min,
             "ReduceProd": np.prod}[op]
        return [np.asarray(f(x, axis=tuple(axes) if axes is not None else None, keepdims=keep)).astype(x.dtype)]
    if op == "CumSum":
        return [np.cumsum(x, axis=int(xs[1])).astype(x.dtype)]
    if op == "MatMul":
        return [np.matmul(x, xs[1])]
    if op == "Clip":
        lo = xs[1] if len(xs) > 1 and xs[1] is not None else None
        hi = xs[2] if len(xs) > 2 and xs[2] is not None else None
        return [np.clip(x, lo, hi)]
    if op == "Split":
        axis = attr(node, "axis", 0)
        sizes = list(xs[1]) if len(xs) > 1 and xs[1] is not None else attr(node, "split")
        n = len(node.output)
        if sizes is None:
            return np.split(x, n, axis=axis)
        return np.split(x, np.cumsum(sizes)[:-1], axis=axis)
    if op == "Trilu":
        k = int(xs[1]) if len(xs) > 1 and xs[1] is not None else 0
        return [np.triu(x, k) if attr(node, "upper", 1) else np.tril(x, k)]
    return None


# ----------------------------------------------------------------------------------------------
# The graph
# ----------------------------------------------------------------------------------------------

class Const:
    """An initializer: its value when known (else only type and shape)."""

    def __init__(self, dtype, dims, value=None):
        self.dtype, self.dims, self.value = dtype, list(dims), value

    @property
    def size(self):
        return int(np.prod(self.dims)) if self.dims else 1


class Graph:
    def __init__(self, path, data_prop=True, verbose=False):
        self.data_prop, self.verbose = data_prop, verbose
        model = onnx.load(path, load_external_data=False)
        self.opset = {o.domain or "": o.version for o in model.opset_import}[""]
        self.model_dir = os.path.dirname(os.path.abspath(path))
        g = model.graph
        self.name = g.name
        self.inputs = [i.name for i in g.input]
        self.input_types = {i.name: i.type for i in g.input}
        self.outputs = [o.name for o in g.output]
        self.output_types = {o.name: o.type for o in g.output}
        self.consts = {}
        for init in g.initializer:
            self.consts[init.name] = self._init_const(init)
        self.inputs = [i for i in self.inputs if i not in self.consts]
        self.nodes = []
        for n in g.node:
            if n.op_type == "Constant" and n.domain in ("", "ai.onnx"):
                self.consts[n.output[0]] = self._constant_node(n)
                continue
            self.nodes.append(n)
        self.types = {}           # name -> (elem_type, [dims: int or None])
        self.original = {n.name: n for n in self.nodes}
        self.removed = collections.OrderedDict()   # why nodes went away
        self.alias = {}           # tensor renamed by an elimination -> its replacement

    def _init_const(self, init):
        dims = list(init.dims)
        ext = any(e.key == "location" for e in init.external_data) or init.data_location == T.EXTERNAL
        value = None
        if not ext:
            value = numpy_helper.to_array(init)
        elif int(np.prod(dims) if dims else 1) <= 4096:
            from onnx.external_data_helper import load_external_data_for_tensor
            t = TensorProto()
            t.CopyFrom(init)
            try:
                load_external_data_for_tensor(t, self.model_dir)
                value = numpy_helper.to_array(t)
            except Exception:  # noqa: BLE001
                value = None
        return Const(init.data_type, dims, value)

    def _constant_node(self, n):
        a = n.attribute[0]
        if a.name == "value":
            v = numpy_helper.to_array(a.t)
            return Const(a.t.data_type, v.shape, v)
        v = np.array(helper.get_attribute_value(a))
        dtype = {"value_float": T.FLOAT, "value_floats": T.FLOAT, "value_int": T.INT64,
                 "value_ints": T.INT64}.get(a.name, T.FLOAT)
        v = v.astype(NP[dtype])
        return Const(dtype, v.shape, v)

    # -- shapes -------------------------------------------------------------------------------
    def infer(self):
        """ONNX shape inference over the current graph (initializers with values where small)."""
        inits, extra_inputs = [], []
        for name, c in self.consts.items():
            if c.value is not None and c.size <= 4096:
                inits.append(numpy_helper.from_array(np.asarray(c.value), name))
            else:
                extra_inputs.append(helper.make_tensor_value_info(name, c.dtype, c.dims))
        inputs = [helper.make_value_info(n, self.input_types[n]) for n in self.inputs]
        outputs = [helper.make_value_info(n, self.output_types[n]) for n in self.outputs]
        g = helper.make_graph(list(self.nodes), self.name, inputs + extra_inputs, outputs, inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)])
        m.ir_version = 8
        m = shape_inference.infer_shapes(m, strict_mode=False, data_prop=self.data_prop)
        self.types = {}
        for vi in list(m.graph.value_info) + list(m.graph.input) + list(m.graph.output):
            tt = vi.type.tensor_type
            dims = None
            if tt.HasField("shape"):
                dims = [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]
            self.types[vi.name] = (tt.elem_type, dims)
        for name, c in self.consts.items():
            self.types[name] = (c.dtype, list(c.dims))

    def dtype(self, name):
        return self.types.get(name, (0, None))[0]

    def static_shape(self, name):
        dims = self.types.get(name, (0, None))[1]
        if dims is None or any(d is None for d in dims):
            return None
        return dims

    # -- Level 1 ------------------------------------------------------------------------------
    def replace_input(self, old, new):
        for n in self.nodes:
            for i, name in enumerate(n.input):
                if name == old:
                    n.input[i] = new
        self.alias[old] = new

    def eliminate(self):
        changed = False
        keep = []
        for n in self.nodes:
            same_cast = n.op_type == "Cast" and self.dtype(n.input[0]) == attr(n, "to")
            if (n.op_type == "Identity" or same_cast) and n.output[0] not in self.outputs \
                    and n.input[0] not in self.outputs:
                self.removed[n.name] = "EliminateIdentity" if n.op_type == "Identity" else "CastElimination"
                self.replace_input(n.output[0], n.input[0])
                changed = True
                continue
            keep.append(n)
        self.nodes = keep
        return changed

    def fold(self, fold_shape=True):
        changed = False
        keep = []
        for n in self.nodes:
            outs_are_graph_outputs = any(o in self.outputs for o in n.output)
            if outs_are_graph_outputs or n.op_type in NONDETERMINISTIC or n.domain not in ("", "ai.onnx") \
                    or n.op_type in ("If", "Loop", "Scan"):
                keep.append(n)
                continue
            if n.op_type == "Shape":
                shape = self.static_shape(n.input[0]) if fold_shape else None
                if shape is None:
                    keep.append(n)
                    continue
                start, end = attr(n, "start", 0), attr(n, "end", None)
                v = np.array(shape, dtype=np.int64)[start:end]
                self.consts[n.output[0]] = Const(T.INT64, v.shape, v)
                self.removed[n.name] = "ConstantFolding (static Shape)"
                changed = True
                continue
            ins = [i for i in n.input]
            if not all((not i) or i in self.consts for i in ins):
                keep.append(n)
                continue
            values = [self.consts[i].value if i else None for i in ins]
            outs = None
            if all(v is not None for i, v in zip(ins, values) if i):
                try:
                    outs = evaluate(n, values)
                except Exception as e:  # noqa: BLE001
                    if self.verbose:
                        print(f"  (could not evaluate {n.op_type} {n.name}: {e})", file=sys.stderr)
                    outs = None
            if outs is None:
                # ORT folds it anyway (it has CPU kernels for every ONNX op); keep type and shape.
                shapes = [self.static_shape(o) for o in n.output]
                if any(s is None for s in shapes):
                    keep.append(n)
                    print(f"  warning: {n.op_type} {n.name} has constant inputs but was not folded here",
                          file=sys.stderr)
                    continue
                for o, s in zip(n.output, shapes):
                    self.consts[o] = Const(self.dtype(o), s, None)
            else:
                for o, v in zip(n.output, outs):
                    v = np.asarray(v)
                    dt = self.dtype(o) or helper.np_dtype_to_tensor_dtype(v.dtype)
                    self.consts[o] = Const(dt, v.shape, v)
            self.removed[n.name] = "ConstantFolding"
            changed = True
        self.nodes = keep
        return changed

    def cse(self):
        """CommonSubexpressionElimination: identical op, inputs (by name) and attributes."""
        seen, keep, changed = {}, [], False
        for n in self.nodes:
            if n.op_type in NONDETERMINISTIC or any(o in self.outputs for o in n.output):
                keep.append(n)
                continue
            key = (n.domain, n.op_type, tuple(n.input),
                   tuple(sorted((a.name, a.SerializeToString()) for a in n.attribute)), len(n.output))
            if key in seen:
                first = seen[key]
                for o, p in zip(n.output, first.output):
                    self.replace_input(o, p)
                self.removed[n.name] = f"CommonSubexpressionElimination (= {first.name})"
                changed = True
                continue
            seen[key] = n
            keep.append(n)
        self.nodes = keep
        return changed

    def constant_sharing(self):
        """ConstantSharing: small initializers (<= 8 elements here) with equal type, shape and value
        become one, so that CSE can merge their consumers."""
        canon, changed = {}, False
        used = {i for n in self.nodes for i in n.input}
        for name in list(self.consts):
            c = self.consts[name]
            if name not in used or c.value is None or c.size > 8:
                continue
            key = (c.dtype, tuple(c.dims), np.asarray(c.value).tobytes())
            if key in canon and canon[key] != name:
                for n in self.nodes:
                    for i, x in enumerate(n.input):
                        if x == name:
                            n.input[i] = canon[key]
                            changed = True
            else:
                canon.setdefault(key, name)
        return changed

    def level1(self, fold_shape=True):
        for _ in range(50):
            self.infer()
            changed = self.eliminate()
            changed |= self.constant_sharing()
            changed |= self.cse()
            self.infer()
            changed |= self.fold(fold_shape)
            if not changed:
                break
        self.infer()


# ----------------------------------------------------------------------------------------------
# Partitioning and Memcpy insertion
# ----------------------------------------------------------------------------------------------

def cuda_kernel(g: Graph, n):
    """(has_kernel, why_not, cpu_inputs, cpu_outputs) of the CUDA EP for node n."""
    if n.domain not in ("", "ai.onnx") or n.op_type not in CUDA:
        return False, f"no CUDA kernel known for {n.domain}:{n.op_type}", (), ()
    types, tin, _, cpu_out = CUDA[n.op_type]
    cpu_in = node_opset_cpu_inputs(n.op_type, g.opset)
    if types is not None and tin < len(n.input) and n.input[tin]:
        t = g.dtype(n.input[tin])
        if t and t not in types:
            return False, f"CUDA {n.op_type} has no {TYPE_NAME.get(t)} kernel", cpu_in, cpu_out
    if n.op_type == "Cast" and attr(n, "to") not in ALL:
        return False, "CUDA Cast target type", cpu_in, cpu_out
    return True, "", cpu_in, cpu_out


def place(g: Graph):
    nodes = g.nodes
    producer = {}
    for idx, n in enumerate(nodes):
        for k, o in enumerate(n.output):
            if o:
                producer[o] = (idx, k)
    consumers = collections.defaultdict(list)
    for idx, n in enumerate(nodes):
        for k, i in enumerate(n.input):
            if i:
                consumers[i].append((idx, k))
    kernels = [cuda_kernel(g, n) for n in nodes]
    provider = {i for i, k in enumerate(kernels) if k[0]}

    cpu_args = set()
    heap = []
    import heapq
    for idx in sorted(provider):
        for k, o in enumerate(nodes[idx].output):
            if o and k in kernels[idx][3]:
                cpu_args.add(o)
                for c, _ in consumers[o]:
                    heapq.heappush(heap, c)
    graph_inputs = set(g.inputs)
    visited, cpu_nodes, why = set(), set(), {}
    while heap:
        cur = heapq.heappop(heap)
        if cur in visited:
            continue
        visited.add(cur)
        n = nodes[cur]
        if cur not in provider:
            for o in n.output:
                cpu_args.add(o)
            for o in n.output:
                for c, _ in consumers[o]:
                    heapq.heappush(heap, c)
            continue
        place_in_cpu, reason = True, ""
        for i, name in enumerate(n.input):
            t = g.dtype(name) if name else 0
            if t in (T.FLOAT16, T.BFLOAT16):
                place_in_cpu, reason = False, f"input {i} is {TYPE_NAME[t]}"
                break
            if name and ((name in g.consts and g.consts[name].size <= SMALL_INITIALIZER) or name in graph_inputs):
                continue
            if name not in cpu_args:
                place_in_cpu = False
                reason = f"input {i} {name or '(missing)'} is not a CPU tensor" + \
                    (" (large initializer)" if name in g.consts else "")
                break
            if i in kernels[cur][2]:
                place_in_cpu, reason = False, f"input {i} is a CPU input of the CUDA kernel"
                break
        why[cur] = reason
        if place_in_cpu:
            cpu_nodes.add(cur)
            for o in n.output:
                cpu_args.add(o)
                for c, _ in consumers[o]:
                    heapq.heappush(heap, c)
    on_cpu = cpu_nodes | (set(range(len(nodes))) - provider)
    return on_cpu, kernels, producer, consumers, why


def memcpys(g: Graph, on_cpu, kernels, producer, consumers):
    """transformer_memcpy.cc: the copies, as (kind, tensor, producer, [(consumer, index)])."""
    nodes = g.nodes
    provider_in, non_provider_in, provider_out, non_provider_out = set(), set(), set(), set()
    for idx, n in enumerate(nodes):
        if idx not in on_cpu:
            for k, i in enumerate(n.input):
                if not i:
                    continue
                (non_provider_in if k in kernels[idx][2] else provider_in).add(i)
            for k, o in enumerate(n.output):
                if o:
                    (non_provider_out if k in kernels[idx][3] else provider_out).add(o)
        else:
            non_provider_in.update(i for i in n.input if i)
            non_provider_out.update(o for o in n.output if o)
    out = []
    def users(t):
        return [(nodes[c], k, "CPU" if c in on_cpu else "CUDA", k in kernels[c][2] and c not in on_cpu)
                for c, k in consumers[t]]
    for t in g.inputs:
        if t in provider_in and t in non_provider_in:
            out.append(("MemcpyFromHost", t, None, users(t)))
    for t in sorted(non_provider_out):
        if t in provider_in:
            out.append(("MemcpyFromHost", t, nodes[producer[t][0]], users(t)))
    for t in sorted(provider_out):
        if t in non_provider_in:
            out.append(("MemcpyToHost", t, nodes[producer[t][0]], users(t)))
    return out


def describe(n):
    return f"{n.op_type} {n.name}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--no-fold-shape", action="store_true",
                    help="do not constant-fold Shape nodes of statically shaped tensors")
    ap.add_argument("--no-data-prop", action="store_true", help="ONNX shape inference without data propagation")
    ap.add_argument("--no-level1", action="store_true", help="partition the graph as exported")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every CPU node and the Level-1 removals")
    args = ap.parse_args()

    g = Graph(args.model, data_prop=not args.no_data_prop, verbose=args.verbose)
    n0 = len(g.nodes)
    if args.no_level1:
        g.infer()
    else:
        g.level1(fold_shape=not args.no_fold_shape)
    print(f"{args.model}: opset {g.opset}, {n0} nodes (Constant nodes as initializers), "
          f"{len(g.nodes)} after Level-1 ({len(g.removed)} removed)")
    if args.verbose:
        why = collections.Counter(v.split(" (=")[0] for v in g.removed.values())
        print("  removed:", dict(why))

    on_cpu, kernels, producer, consumers, why = place(g)
    no_kernel = [i for i in range(len(g.nodes)) if not kernels[i][0]]
    print(f"\nnodes on CUDA: {len(g.nodes) - len(on_cpu)}, on CPU: {len(on_cpu)} "
          f"({len(no_kernel)} without a CUDA kernel)")
    for i in no_kernel:
        print(f"  NO CUDA KERNEL: {describe(g.nodes[i])}: {kernels[i][1]}")
    ops = collections.Counter(g.nodes[i].op_type for i in on_cpu)
    print("  CPU nodes by op:", dict(sorted(ops.items())))
    if args.verbose:
        for i in sorted(on_cpu):
            n = g.nodes[i]
            print(f"  CPU  {n.op_type:16s} {n.name:28s} <- {list(n.input)}")

    copies = memcpys(g, on_cpu, kernels, producer, consumers)
    print(f"\npredicted Memcpy nodes: {len(copies)}")
    for kind, t, prod, us in copies:
        dt = TYPE_NAME.get(g.dtype(t), "?")
        shape = g.types.get(t, (0, None))[1]
        src = "graph input" if prod is None else \
            f"{describe(prod)} [{'CPU' if g.nodes.index(prod) in on_cpu else 'CUDA'}]"
        print(f"  {kind}: {t} ({dt} {shape}) from {src}")
        if prod is not None:
            print(f"      producer inputs: {list(prod.input)}")
        for c, k, where, cpu_input in us:
            print(f"      -> {where:4s} {describe(c)} input {k}{' (CPU input of the kernel)' if cpu_input else ''}"
                  f"  inputs {list(c.input)}")
    if copies:
        print(f"\n{len(copies)} Memcpy nodes are added to the graph {g.name} for CUDAExecutionProvider")
    else:
        print("\nno Memcpy nodes: CUDA graphs are not refused for copies")


if __name__ == "__main__":
    main()
