"""What a channel declares about itself, so the launcher and tests can loop over
every channel without knowing any of them (see channels/registry.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChannelSpec:
    """One channel of the Rasa server.

    Attributes:
        name: how people call it ("WhatsApp").
        credentials_key: its key in Rasa's credentials file (a connector class
            path, or the name of one of Rasa's built-in channels).
        variables: credentials key -> environment variable; all of them must be
            set for the channel to start. Empty for a channel that is always on.
        optional_variables: credentials key -> environment variable, used when set.
        secrets: credentials keys whose values are secrets: written to Rasa's
            credentials file as `${VARIABLE}` so the file never holds them.
        tables: the SQLAlchemy models the channel stores its state in.
    """

    name: str
    credentials_key: str
    variables: Mapping[str, str] = field(default_factory=dict)
    optional_variables: Mapping[str, str] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()
    tables: tuple[Any, ...] = ()

    @property
    def always_on(self) -> bool:
        return not self.variables

    def all_variables(self) -> tuple[str, ...]:
        return tuple(self.variables.values()) + tuple(self.optional_variables.values())
