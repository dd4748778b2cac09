"""Refusals of the trust layer, in the project's coded form, and how they are answered.

A refusal never says whether a username exists: every failed login reads the same.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from hallbase.errors import CodedError

MESSAGES: dict[str, dict[str, str]] = {
    "auth_required": {
        "zh": "请先登录，或提供设备密钥",
        "en": "authentication required: log in, or give a bearer token or a machine key",
    },
    "credential_invalid": {
        "zh": "登录已失效或凭证无效，请重新登录",
        "en": "the session, token or key is expired, revoked or not valid",
    },
    "forbidden": {
        "zh": "您的角色无权进行此操作",
        "en": "your role may not do this",
    },
    "out_of_scope": {
        "zh": "超出您的管理范围（窗口或单位）",
        "en": "outside your scope (window or unit)",
    },
    "csrf_failed": {
        "zh": "页面已过期，请刷新后重试",
        "en": "missing or wrong CSRF token (header X-CSRF-Token or form field csrf_token)",
    },
    "login_failed": {
        "zh": "用户名或密码错误；多次失败后账号将暂时锁定，请稍后再试",
        "en": "wrong username or password, or too many attempts: try again later",
    },
    "login_throttled": {
        "zh": "尝试次数过多，请稍后再试",
        "en": "too many login attempts from this address: try again later",
    },
    "not_a_person": {
        "zh": "仅限登录的人员使用",
        "en": "only a logged-in person may do this",
    },
    "username_taken": {"zh": "用户名“{username}”已被使用", "en": "username {username!r} is taken"},
    "unknown_account": {"zh": "没有用户名为“{username}”的账号", "en": "no account {username!r}"},
    "unknown_staff_no": {
        "zh": "没有工号为{staff_no}的工作人员",
        "en": "unknown staff_no {staff_no!r}",
    },
    "unknown_grant": {"zh": "该账号没有第{id}号授权", "en": "the account has no grant {id}"},
    "unknown_key": {"zh": "没有第{id}号设备密钥", "en": "no machine key {id}"},
    "unknown_token": {"zh": "没有第{id}号令牌", "en": "no API token {id} of yours"},
    "bad_value": {"zh": "输入不符合要求：{why}", "en": "{why}"},
    "last_admin": {
        "zh": "不能停用或撤销最后一位系统管理员",
        "en": "the last active administrator cannot be disabled or lose the role",
    },
}


def refusal(status: int, code: str, **fields: object) -> CodedError:
    """A coded refusal of an account or key change, its message's fields filled in."""
    entry = MESSAGES[code]
    return CodedError(status, code, {lang: entry[lang].format(**fields) for lang in ("zh", "en")})


class AuthError(CodedError):
    """A refused credential or permission: 401 (who are you?), 403 (not you), 429 (slow down)."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, code, MESSAGES[code])
        self.headers = headers or {}


def unauthenticated(code: str = "auth_required") -> AuthError:
    """401 with the schemes the service takes."""
    return AuthError(401, code, {"WWW-Authenticate": 'Bearer realm="hallkeeper"'})


def _is_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method in ("GET", "HEAD") and "text/html" in accept


async def auth_error(request: Request, exc: Exception) -> Response:
    """JSON for API callers; a browser opening a page without a login goes to the login page."""
    assert isinstance(exc, AuthError)
    if exc.status == 401 and _is_page(request) and not request.url.path.startswith("/api/"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
