"""Page-number pagination over the (already ranked) list a selector returns.

The answer is ``{"count", "next", "previous", "results"}`` (contract §6). The page
number and size are validated by the view's query serializer before they get
here, so only "beyond the last page" is left to answer: a 404 naming ``page``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from talentport.api.errors import not_found

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    count: int
    number: int
    size: int
    items: Sequence[T]

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(*, count: int, items: Sequence[T], number: int, size: int) -> Page[T]:
    """The page ``number`` of ``count`` results; a page past the last one is a 404 naming
    ``page`` (the first page always exists, empty when nothing matched)."""
    page = Page(count=count, number=number, size=size, items=items)
    if number > page.num_pages:
        raise not_found("page", f"页码超出范围：共 {page.num_pages} 页")
    return page


def page_links(request: Request, page: Page[Any]) -> tuple[str | None, str | None]:
    """Absolute URLs of the next and previous pages (None at either end)."""
    url = request.build_absolute_uri()
    next_url = replace_query_param(url, "page", page.number + 1) if page.has_next else None
    if not page.has_previous:
        previous_url = None
    elif page.number == 2:
        previous_url = remove_query_param(url, "page")
    else:
        previous_url = replace_query_param(url, "page", page.number - 1)
    return next_url, previous_url


def paginated_data(request: Request, page: Page[Any], results: list[Any]) -> dict[str, Any]:
    next_url, previous_url = page_links(request, page)
    return {"count": page.count, "next": next_url, "previous": previous_url, "results": results}
