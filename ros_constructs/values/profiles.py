"""Sized profiles: one values overlay per profile in ``ros_constructs/profiles/``, applied under the
user's files and ``--set`` (the user's values win). ``profile:`` in values (or ``ros-synth --profile``)
picks one; unset, the defaults apply unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

ProfileName = Literal["dev", "small", "medium", "large"]
PROFILES: tuple[str, ...] = get_args(ProfileName)
PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"


def profile_path(name: str) -> Path:
    """The overlay file of profile ``name``."""
    return PROFILES_DIR / f"{name}.yaml"
