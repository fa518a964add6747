"""OpenAPI post-processing: say what the server does that the views do not declare."""

from __future__ import annotations

from typing import Any

WRITE_METHODS = ("post", "put", "patch", "delete")
THROTTLED = {
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    "description": "请求过于频繁（按账户、IP 限制频率），稍后再试；响应头 Retry-After 给出秒数",
}


def document_throttles(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """Every write of the API is throttled (talentport.api.throttling): document its 429."""
    if "ErrorResponse" not in result.get("components", {}).get("schemas", {}):
        return result
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method in WRITE_METHODS:
                operation.setdefault("responses", {}).setdefault("429", THROTTLED)
    return result
