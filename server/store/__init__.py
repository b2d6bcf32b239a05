"""Durable state: SQLModel tables and repositories; SQLite by default, PostgreSQL by URL."""

from server.store.database import Database

__all__ = ["Database"]
