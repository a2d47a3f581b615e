"""Request dependencies: the wired container and role checks (`Authorization: Bearer KEY`)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request

from assistant.bootstrap import Container
from assistant.errors import AssistantError


class AuthError(AssistantError):
    """Missing (401) or wrong (403) API key for a role-protected route."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


# Dependencies are `async def` on purpose: they do no I/O, and FastAPI runs a plain `def` dependency in the
# thread pool, a hop per request on every route.
async def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]


def key_matches(sent: str, secret: str) -> bool:
    """Constant-time comparison of a header's key with a secret. As bytes: `compare_digest` refuses str
    with non-ASCII characters, which a client may well send (the header arrives decoded as Latin-1)."""
    return hmac.compare_digest(sent.encode("latin-1", "replace"), secret.encode())


def require_role(role: str) -> Any:
    """A dependency that admits a bearer key of `role` (ops keys are accepted everywhere)."""

    # The container is read off the app rather than injected: a nested dependency costs FastAPI a
    # resolution pass per request, on every protected route.
    async def check(request: Request) -> str:
        container: Container = request.app.state.container
        header = request.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise AuthError(
                f"This route needs an API key of role {role!r}: send Authorization: Bearer KEY.", 401
            )
        settings = container.settings
        accepted = {"agent": [settings.agent_key, settings.ops_key], "ops": [settings.ops_key]}[role]
        if not any(s is not None and key_matches(key, s.get_secret_value()) for s in accepted):
            raise AuthError(f"The API key is not valid for role {role!r}.", 403)
        return role

    return Depends(check)
