"""One typed settings object, read from the environment only at the edges (CLI, server)."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
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
    secret_key: SecretStr | None = Field(
        default=None,
        description="Server key from which each webhook channel's signing secret is derived.",
    )
    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="Lifetime of a web sign-in session, hours."
    )
    token_days: int = Field(
        default=90, ge=1, le=3650, description="Default lifetime of a new API token, days."
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed sign-ins per user name within the window."
    )
    login_max_failures_per_address: int = Field(
        default=20, ge=1, description="Failed sign-ins per client address within the window."
    )
    login_window_seconds: int = Field(
        default=900, ge=1, description="The window over which failed sign-ins are counted."
    )
    outbound_allow: str = Field(
        default="",
        description="Comma-separated hosts, addresses or networks (CIDR) that feeds and "
        "webhooks may reach even though they are loopback, link-local or private.",
    )
    outbound_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, description="Largest feed or webhook answer, bytes."
    )
    outbound_timeout: float = Field(
        default=20.0, gt=0, description="Total time for one feed fetch or webhook post, seconds."
    )
    outbound_max_redirects: int = Field(
        default=3, ge=0, le=10, description="Redirects a feed fetch follows (each re-checked)."
    )
    upload_max_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1, description="Largest report file accepted for upload."
    )
    extract_seconds: float = Field(
        default=30.0, gt=0, description="Longest time reading one uploaded file may take."
    )
    triage_model: str = Field(
        default="use-multilingual",
        description="Sentence-embedding model for triage: `use-multilingual` or `minilm`.",
    )
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
    notify_every: float = Field(
        default=30.0,
        gt=0,
        description="Seconds between the server's background deliveries of pending notifications.",
    )
    event_memory_limit: str = Field(
        default="1GB",
        pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="Memory DuckDB may use for the event store before spilling to disk.",
    )
    triage_embeddings: bool = Field(
        default=True,
        description="Triage reports with sentence embeddings when the model is installed; "
        "false uses the keyword lexicon only.",
    )

    @classmethod
    def from_env(cls) -> Settings:
        """Read the settings from the process environment (call only at start-up)."""
        return cls()

    def ensure_home(self) -> Path:
        """Create the data directory if needed and return it, owner-only: the directory and
        every folder in it 700, every file 600 (repairing looser modes left by older runs)."""
        from vigil.files import private_dir, tighten

        private_dir(self.home)
        tighten(self.home)
        return self.home

    @property
    def output_dir(self) -> Path:
        """Where forecasts, backtests and reports are written by default."""
        return self.home / "outputs"

    @property
    def sqlalchemy_url(self) -> str:
        """The workspace database URL, defaulting to a SQLite file in the data directory."""
        return self.database_url or f"sqlite:///{self.home / 'vigil.db'}"
