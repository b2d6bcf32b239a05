"""``python -m moderation``: the moderation CLI."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main(prog="python -m moderation"))
