"""Sign in, sign out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ecabinet import users
from ecabinet.api.dependencies import Context, CurrentActor
from ecabinet.auth import COOKIE_NAME
from ecabinet.schemas import MeUpdate, SessionOut, SignIn, UserOut

router = APIRouter(tags=["session"])


def _client_address(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/session", response_model=SessionOut)
def sign_in(body: SignIn, request: Request, response: Response, context: Context) -> SessionOut:
    """Sign in: sets the session cookie and returns the user and the CSRF token."""
    signed = context.auth.sign_in(
        body.login,
        body.password,
        _client_address(request),
        request.headers.get("user-agent", ""),
        request.cookies.get(COOKIE_NAME),
    )
    response.set_cookie(
        COOKIE_NAME,
        signed.cookie,
        max_age=context.settings.session_max_age_secs,
        httponly=True,
        samesite="lax",
        secure=context.settings.secure_cookies,
        path="/",
    )
    return SessionOut(
        user=UserOut.model_validate(signed.user),
        csrf_token=signed.csrf_token,
        language=signed.user.language or context.settings.default_language,
    )


@router.delete("/session", status_code=204)
def sign_out(actor: CurrentActor, response: Response, context: Context) -> None:
    """Sign out: ends the server-side session."""
    context.auth.sign_out(actor)
    response.delete_cookie(COOKIE_NAME, path="/")


@router.get("/me", response_model=SessionOut)
def me(actor: CurrentActor, context: Context) -> SessionOut:
    """The signed-in user and the session's CSRF token."""
    return SessionOut(
        user=UserOut.model_validate(actor.user),
        csrf_token=actor.csrf_token,
        language=actor.user.language or context.settings.default_language,
    )


@router.patch("/me", response_model=UserOut)
def update_me(body: MeUpdate, actor: CurrentActor, context: Context) -> UserOut:
    """Change the signed-in user's own preferences (the UI language)."""
    return users.update_me(context.db, actor, body)
