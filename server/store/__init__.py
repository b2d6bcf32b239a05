"""Durable state: SQLModel tables and repositories; SQLite by default, PostgreSQL by URL."""

from server.store.database import Collision, Database
from server.store.unit import Unit

__all__ = ["Collision", "Database", "Unit"]
