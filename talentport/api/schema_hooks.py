"""OpenAPI post-processing: say what the server does that the views do not declare.

- Every write of the API is throttled (talentport.api.throttling): 429.
- Every operation that needs a session answers 401 without one
  (talentport.api.authentication); every operation can answer 403 (below: which cases).
- Every query string is checked for personal data (talentport.common.urlguard): 400.
- Every operation with a path parameter answers 404 for an unknown or invisible object.
- Every operation with a request body answers 415 to a body of another content type.

A view's own description of one of these answers is kept; an empty one is filled in.
"""

from __future__ import annotations

from typing import Any

WRITE_METHODS = ("post", "put", "patch", "delete")
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
THROTTLED = "请求过于频繁（按账户、IP 限制频率），稍后再试；响应头 Retry-After 给出秒数"
UNAUTHENTICATED = (
    "未登录或会话已过期（not_authenticated）：先在门户登录，再携带会话 Cookie 调用；"
    '响应头 WWW-Authenticate: Session realm="api"'
)
REFUSED_SIGNED_IN = "已登录但无权执行：角色、管辖范围或授权不符"
REFUSED_CSRF = "写操作缺少或带错 CSRF 令牌（请求头 X-CSRFToken，值取 Cookie csrftoken）"
REFUSED_OTP = "工作人员会话尚未完成两步验证（otp_required）"
BAD_QUERY = (
    "请求有误：errors 逐条给出字段与原因；网址中含有身份证号、手机号或护照号时为"
    " personal_data_in_url（请改用 POST）"
)
NOT_FOUND = "未找到该对象，或无权查看（与不存在相同）"
UNSUPPORTED = "请求体的内容类型不是本接口接受的类型（见 requestBody）"


def _answer(operation: dict[str, Any], status: str, description: str) -> None:
    responses = operation.setdefault("responses", {})
    response = responses.setdefault(status, {"content": ERROR_CONTENT, "description": ""})
    if not response.get("description"):
        response["description"] = description


def _refusals(method: str, security: list[dict[str, Any]]) -> str:
    reads_session = any(requirement for requirement in security)
    needs_session = bool(security) and {} not in security
    reasons = []
    if needs_session:
        reasons.append(REFUSED_SIGNED_IN)
    if reads_session and method in WRITE_METHODS:
        reasons.append(REFUSED_CSRF)
    reasons.append(REFUSED_OTP)
    return "；".join(reasons)


def document_answers(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    if "ErrorResponse" not in result.get("components", {}).get("schemas", {}):
        return result
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            security = operation.get("security", [])
            parameters = operation.get("parameters", [])
            if method in WRITE_METHODS:
                _answer(operation, "429", THROTTLED)
            if security and {} not in security:
                _answer(operation, "401", UNAUTHENTICATED)
            _answer(operation, "403", _refusals(method, security))
            if any(p.get("in") == "query" for p in parameters):
                _answer(operation, "400", BAD_QUERY)
            if any(p.get("in") == "path" for p in parameters):
                _answer(operation, "404", NOT_FOUND)
            if "requestBody" in operation:
                _answer(operation, "415", UNSUPPORTED)
            operation["responses"] = dict(sorted(operation["responses"].items()))
    return result
