"""Sign-in: server-side sessions behind a signed cookie, CSRF tokens, and the sign-in rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from itsdangerous import BadSignature, Signer
from sqlmodel import Session, col, func, select

from ecabinet import audit
from ecabinet.database import Database
from ecabinet.errors import RateLimited, Unauthorized
from ecabinet.models import LoginFailure, User, UserSession, utcnow
from ecabinet.passwords import check_password
from ecabinet.permissions import Actor
from ecabinet.settings import Settings

COOKIE_NAME = "ecabinet_session"
CSRF_HEADER = "X-CSRF-Token"
# A session's last-seen time is written at most this often, so reads do not each cost a write.
LAST_SEEN_RESOLUTION_SECS = 60


def _session_id(token: str) -> str:
    # Only the token's hash is stored: a copy of the database does not hold usable cookies.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """A new sign-in: the cookie value to set, and what the client is told."""

    cookie: str
    user: User
    csrf_token: str


class Authenticator:
    """Creates, resolves and ends sessions."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.signer = Signer(settings.resolved_secret_key(), salt="ecabinet.session")

    def sign_in(self, login: str, password: str, address: str, user_agent: str, old_cookie: str | None) -> SignedIn:
        """Check the password and open a new session, ending the one the cookie carried (rotation)."""
        login = login.strip().lower()
        self._check_rate_limit(login, address)
        with self.db.read() as session:
            user = session.exec(select(User).where(User.login == login)).first()
        valid = check_password(user.password_hash if user else None, password)
        if user is None or not valid or not user.active:
            with self.db.write() as session:
                session.add(LoginFailure(login=login, address=address))
            raise Unauthorized("Wrong login or password.")
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = utcnow()
        with self.db.write() as session:
            if old_cookie:
                old = self._token(old_cookie)
                if old:
                    session.execute(sa.delete(UserSession).where(col(UserSession.id) == _session_id(old)))
            session.execute(
                sa.delete(LoginFailure).where(col(LoginFailure.login) == login, col(LoginFailure.address) == address)
            )
            # Sessions that ran out are of no use to anyone; sign-ins are rare enough to sweep them here.
            session.execute(sa.delete(UserSession).where(col(UserSession.expires_at) <= now))
            session.add(
                UserSession(
                    id=_session_id(token),
                    user_id=user.id,  # type: ignore[arg-type]
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + dt.timedelta(seconds=self.settings.session_max_age_secs),
                    address=address[:64],
                    user_agent=user_agent[:300],
                )
            )
            audit.append(
                session,
                actor_id=user.id,
                action="session.created",
                object_type="user",
                object_id=user.id,
                data={"address": address},
            )
        return SignedIn(self.signer.sign(token).decode(), user, csrf)

    def resolve(self, cookie: str | None) -> Actor | None:
        """The actor of a live session (with its CSRF token), or None."""
        token = self._token(cookie) if cookie else None
        if token is None:
            return None
        sid = _session_id(token)
        now = utcnow()
        with self.db.read() as session:
            row = session.get(UserSession, sid)
            if row is None or row.expires_at <= now:
                return None
            user = session.get(User, row.user_id)
            if user is None or not user.active:
                return None
            stale = (now - row.last_seen_at).total_seconds() > LAST_SEEN_RESOLUTION_SECS
        if stale:
            with self.db.write() as session:
                session.execute(sa.update(UserSession).where(col(UserSession.id) == sid).values(last_seen_at=now))
        return Actor(user, sid, row.csrf_token)

    def sign_out(self, actor: Actor) -> None:
        with self.db.write() as session:
            session.execute(sa.delete(UserSession).where(col(UserSession.id) == actor.session_id))
            audit.append(session, actor_id=actor.id, action="session.ended", object_type="user", object_id=actor.id)

    @staticmethod
    def csrf_ok(expected: str, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(expected.encode(), given.encode())

    def _token(self, cookie: str) -> str | None:
        try:
            return self.signer.unsign(cookie).decode()
        except BadSignature:
            return None

    def _check_rate_limit(self, login: str, address: str) -> None:
        since = utcnow() - dt.timedelta(seconds=self.settings.login_window_secs)
        with self.db.write() as session:
            session.execute(sa.delete(LoginFailure).where(col(LoginFailure.at) < since))
        with self.db.read() as session:
            pair = session.exec(
                select(func.count()).where(LoginFailure.login == login, LoginFailure.address == address)
            ).one()
            from_address = session.exec(select(func.count()).where(LoginFailure.address == address)).one()
        if pair >= self.settings.login_max_failures or from_address >= self.settings.login_address_max_failures:
            raise RateLimited(
                "Too many failed sign-ins. Wait a few minutes and try again.",
                headers={"Retry-After": str(self.settings.login_window_secs)},
            )


def end_user_sessions(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (a disabled account, a changed password)."""
    session.execute(sa.delete(UserSession).where(col(UserSession.user_id) == user_id))
