"""Read and write safetensors files (the format of Baton's state container and goldens)
with numpy only: 8-byte little-endian header length, JSON header, raw little-endian data."""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Dict, Tuple

import numpy as np

DTYPES = {np.dtype("float32"): "F32", np.dtype("float16"): "F16", np.dtype("int64"): "I64",
          np.dtype("int32"): "I32", np.dtype("float64"): "F64", np.dtype("uint8"): "U8"}
NUMPY = {v: k for k, v in DTYPES.items()}


def write(path: Path, tensors: Dict[str, np.ndarray], metadata: Dict[str, str] = None) -> None:
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, array in tensors.items():
        array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        blob = array.tobytes()
        header[name] = {"dtype": DTYPES[array.dtype.newbyteorder("=")], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read(path: Path) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    raw = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    metadata = header.pop("__metadata__", {})
    data = raw[8 + length:]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = NUMPY[info["dtype"]].newbyteorder("<")
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(info["shape"])
    return tensors, metadata
