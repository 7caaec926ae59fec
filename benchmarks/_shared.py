"""Where the shared corpora and reference scorers are (`../shared` beside the checkout)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SANITIZER_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or exit with a clear message when it is missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        sys.exit(f"benchmark: {path} not found (set SANITIZER_SHARED to the shared folder)")
    return path
