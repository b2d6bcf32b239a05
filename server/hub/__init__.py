"""Connections, channel subscriptions, fan-out in one pass, resume after reconnect."""

from server.hub.connection import Connection
from server.hub.hub import Hub

__all__ = ["Connection", "Hub"]
