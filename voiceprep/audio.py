"""Sound devices through PortAudio (sounddevice): finding them, and playing audio.

Every PortAudio failure becomes a VoiceprepError that says what is missing and what to do,
because "Error querying device -1" helps nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from voiceprep.errors import VoiceprepError

NO_INPUT_HELP = (
    "no microphone found: connect one (or enable it in your system's sound settings), "
    "check `voiceprep devices`, and pick one with --input-device NAME|INDEX"
)
NO_OUTPUT_HELP = (
    "no speaker or headphones found: connect some, check `voiceprep devices`, "
    "and pick one with --output-device NAME|INDEX"
)


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


def sounddevice() -> Any:
    """The sounddevice module, or a clear error when PortAudio is missing."""
    try:
        import sounddevice as sd
    except OSError:
        raise VoiceprepError(
            "the PortAudio library is missing: install it (Debian/Ubuntu: "
            "`sudo apt-get install libportaudio2`; macOS: `brew install portaudio`)"
        ) from None
    return sd


def list_devices() -> list[Device]:
    """Every input and output device PortAudio can see (empty on a machine with no sound card)."""
    sd = sounddevice()
    try:
        found = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError:
        return []
    return [
        Device(
            index=d["index"],
            name=d["name"],
            inputs=d["max_input_channels"],
            outputs=d["max_output_channels"],
            default_samplerate=d["default_samplerate"],
            is_default_input=d["index"] == default_in,
            is_default_output=d["index"] == default_out,
        )
        for d in found
    ]


def resolve_device(wanted: str | int | None, kind: str) -> Device:
    """The device to use for 'input' or 'output': by index, by (part of its) name, or the default."""
    devices = [d for d in list_devices() if (d.inputs if kind == "input" else d.outputs) > 0]
    help_text = NO_INPUT_HELP if kind == "input" else NO_OUTPUT_HELP
    if not devices:
        raise VoiceprepError(help_text)
    if wanted is None or wanted == "":
        defaults = [d for d in devices if (d.is_default_input if kind == "input" else d.is_default_output)]
        return defaults[0] if defaults else devices[0]
    if isinstance(wanted, int) or str(wanted).isdigit():
        matches = [d for d in devices if d.index == int(wanted)]
    else:
        matches = [d for d in devices if str(wanted).casefold() in d.name.casefold()]
    if not matches:
        raise VoiceprepError(f"no {kind} device matches '{wanted}'; see `voiceprep devices` for the names and indexes")
    return matches[0]


def play(samples: np.ndarray, samplerate: int, device: Device) -> None:
    """Play float32 mono samples to the end (blocking)."""
    sd = sounddevice()
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)  # int16: see capture.py
    try:
        sd.play(pcm, samplerate, device=device.index, blocking=True)
    except sd.PortAudioError as error:
        raise VoiceprepError(f"could not play sound on '{device.name}' ({error}); {NO_OUTPUT_HELP}") from None
