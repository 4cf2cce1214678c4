"""Which engine the settings choose: PostgreSQL with DATABASE_URL, else the SQLite file."""

from __future__ import annotations

from bot.config import Settings
from bot.db import Database


async def open_database(settings: Settings, *, read_only: bool = False) -> Database:
    """The database the settings name, migrated (`read_only`: opened for looking only)."""
    if settings.database_url:
        from bot.db_postgres import PostgresDatabase  # psycopg only when it is used

        return await PostgresDatabase.open_url(settings.database_url, read_only=read_only)
    if read_only:
        return await Database.open_readonly(settings.database_path)
    return await Database.open(settings.database_path)
