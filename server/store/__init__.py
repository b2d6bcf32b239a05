"""Durable state: SQLModel tables and repositories; SQLite by default, PostgreSQL by URL."""

from server.store.database import Database
from server.store.unit import Unit

__all__ = ["Database", "Unit"]
