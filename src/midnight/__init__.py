"""Midnight Express: stock and till for small food businesses."""

__version__ = "0.1.0"
