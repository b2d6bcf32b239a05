"""One Broker interface; `memory://` (default, one process) and `redis://` (many processes)."""

from server.broker.base import Broker, Envelope, Position, Sink, broker_from_url

__all__ = ["Broker", "Envelope", "Position", "Sink", "broker_from_url"]
