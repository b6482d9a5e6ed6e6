"""Lists shown a page at a time (the `pager` macro reads `page` and `pages`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_count(total: int, page_size: int) -> int:
    """How many pages `total` items fill (at least one, even when empty)."""
    return max(1, -(-total // page_size))


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """One page of a list computed in full."""

    items: Sequence[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.page_size)

    @classmethod
    def of(cls, items: Sequence[T], page: int, page_size: int) -> PageOf[T]:
        """Page `page` of `items` (the last page when `page` is past the end)."""
        page = min(max(1, page), page_count(len(items), page_size))
        start = (page - 1) * page_size
        return cls(items[start : start + page_size], len(items), page, page_size)
