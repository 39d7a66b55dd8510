"""The one error of the speech package."""

from __future__ import annotations


class SpeechError(RuntimeError):
    """Speech could not be synthesised (engine missing, empty or silent file)."""
