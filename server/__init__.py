"""Plenária: the live companion of a streamed public conference."""
