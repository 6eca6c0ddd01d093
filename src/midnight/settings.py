"""Settings read from the environment (MIDNIGHT_*) when the CLI or server starts."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from midnight.domain.printing import NetworkRules


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
    # Network printers on this machine itself (127.0.0.1, ::1): only for tests and a fake printer.
    # A shop's printers are on its own network; loopback is refused unless this is set.
    printers_on_loopback: bool = False
    # Set by `midnight serve`: the port it listens on, which no network printer may be given.
    listen_port: int | None = None


def printer_network_rules() -> NetworkRules:
    """Where network printers may be, read from the environment now (MIDNIGHT_PRINTERS_ON_LOOPBACK,
    MIDNIGHT_LISTEN_PORT), so setting up a printer and connecting to it follow the same rules."""
    settings = Settings()
    return NetworkRules(loopback=settings.printers_on_loopback, own_port=settings.listen_port)
