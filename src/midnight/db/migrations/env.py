"""Alembic environment: runs on the connection the application hands it."""

from alembic import context

from midnight.db.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
context.run_migrations()
