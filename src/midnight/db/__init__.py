"""Persistence: SQLAlchemy Core tables, queries and migrations (SQLite and PostgreSQL)."""
