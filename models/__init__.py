"""Baton's model zoo: hybrid attention families with a whole-document reference and a
segment path that carries state, plus their ONNX export (see docs/model-contract.md)."""
