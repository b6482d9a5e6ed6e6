"""The one place that reads the environment.

Every process (action server, console, channels, tools) calls `get_settings()`
and reads its configuration from the returned object.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Runtime configuration, read once from environment variables."""

    database_url: str
    content_dir: Path
    clinic_file: Path
    answers_file: Path
    rasa_url: str
    rasa_token: str
    low_confidence_threshold: float


def _default_sqlite_url(name: str) -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / name}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; call `reset_settings` in tests)."""
    content_dir = Path(os.environ.get("SMP_CONTENT_DIR", PROJECT_ROOT / "content"))
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or _default_sqlite_url("clinic.db"),
        content_dir=content_dir,
        clinic_file=Path(os.environ.get("SMP_CLINIC_FILE", content_dir / "clinic.yml")),
        answers_file=Path(
            os.environ.get("SMP_ANSWERS_FILE", content_dir / "answers.yml")
        ),
        rasa_url=os.environ.get(
            "RASA_URL", f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
        ),
        rasa_token=os.environ.get("RASA_TOKEN", "change-me-local-token"),
        low_confidence_threshold=float(os.environ.get("SMP_LOW_CONFIDENCE", "0.5")),
    )


def reset_settings() -> None:
    """Forget cached settings so the next call re-reads the environment."""
    get_settings.cache_clear()
