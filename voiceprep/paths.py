"""Where voiceprep keeps its data: one directory, overridable for tests and power users."""

from __future__ import annotations

import os
import sys
from pathlib import Path

DATA_DIR_ENV = "VOICEPREP_DATA_DIR"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_BANKS_DIR = PACKAGE_ROOT / "questions"
MODEL_REGISTRY_PATH = PACKAGE_ROOT / "models" / "registry.toml"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: `override`, else $VOICEPREP_DATA_DIR, else the platform's app dir."""
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return _platform_data_dir() / "voiceprep"


def _platform_data_dir() -> Path:
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
    return Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
