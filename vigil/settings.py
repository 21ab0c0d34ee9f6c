"""One typed settings object, read from the environment only at the edges (CLI, server)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """The per-user data directory used when ``VIGIL_HOME`` is not set."""
    return Path(user_data_dir("vigil", appauthor=False))


class Settings(BaseSettings):
    """Where Vigil keeps its state and how it reaches its services.

    Every field can be set through an environment variable ``VIGIL_<NAME>``;
    nothing else in the library reads the environment.
    """

    model_config = SettingsConfigDict(env_prefix="VIGIL_", extra="ignore")

    home: Path = Field(default_factory=default_home, description="Data directory for all state.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the workspace database; a SQLite file in `home` if unset.",
    )
    seed: int = Field(default=20250903, description="Random seed for every stochastic step.")
    sync_timeout: float = Field(
        default=60.0, gt=0, description="Seconds a source's server may take to answer one request."
    )
    sync_retries: int = Field(
        default=4, ge=0, description="Retries of a failed request (5xx, 429, timeout, dropped)."
    )
    sync_backoff: float = Field(
        default=2.0, ge=0, description="First retry delay in seconds; doubles, with jitter."
    )
    sync_request_gap: float = Field(
        default=1.0, ge=0, description="Least seconds between two requests to one source."
    )
    sync_batch_rows: int = Field(
        default=50_000, ge=1, description="Events fetched before each sync batch is committed."
    )
    sync_check_every: float = Field(
        default=60.0, gt=0, description="Seconds between `vigil serve`'s checks for due sources."
    )

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the process environment (call only at start-up)."""
        return cls()

    def ensure_home(self) -> Path:
        """Create the data directory if needed and return it."""
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home

    @property
    def output_dir(self) -> Path:
        """Where forecasts, backtests and reports are written by default."""
        return self.home / "outputs"

    @property
    def sqlalchemy_url(self) -> str:
        """The workspace database URL, defaulting to a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.home / 'vigil.db'}"
