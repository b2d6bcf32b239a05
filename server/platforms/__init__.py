"""HTTP clients of the platforms whose live comments Plenária imports (plain httpx against the
documented REST endpoints; the base URL is configurable so tests run them against local stand-ins)."""

from __future__ import annotations

from server.platforms.client import PlatformClient, client_for

__all__ = ["PlatformClient", "client_for"]
