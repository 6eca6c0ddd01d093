"""Settings read from the environment (MIDNIGHT_*) when the CLI or server starts."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MIDNIGHT_")

    database_url: str = "sqlite:///midnight.db"
    store_name: str = "Midnight Express"
    timezone: str = "Asia/Hong_Kong"
    currency: str = "HKD"
    locale: str = "en_HK"
    # Tests and benchmarks of throughput may relax this; a shop never should.
    sqlite_synchronous: str = "FULL"
    user: str | None = None
    # The key that encrypts contact addresses and waiting messages (default: beside a SQLite file).
    secret_key_file: str | None = None
    # Behind a reverse proxy the owner trusts: believe its X-Forwarded-Proto/-For from these addresses.
    trust_proxy: bool = False
    proxy_addresses: str = "127.0.0.1"
