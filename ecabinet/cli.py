"""The `ecabinet` command: serve, demo, migrate, import, user add, audit verify."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from ecabinet import audit, imports, sample, signing
from ecabinet.database import Database
from ecabinet.errors import AppError
from ecabinet.models import GlobalRole, Unit, User
from ecabinet.passwords import MIN_PASSWORD_LENGTH, hash_password
from ecabinet.settings import Settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ecabinet", description="eCabinet: paperless meetings and briefings.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="migrate the database and serve the app",
        description="Migrate the database and serve the app (ECABINET_HOST:ECABINET_PORT).",
    )
    serve.add_argument("--demo", action="store_true", help="load the sample meeting first and print its logins")
    serve.add_argument("--host", help="override ECABINET_HOST")
    serve.add_argument("--port", type=int, help="override ECABINET_PORT")

    commands.add_parser(
        "demo",
        help="load the sample meeting from agendas/ (idempotent)",
        description="Migrate, then load agendas/*.toml; loading twice creates everything once.",
    )
    commands.add_parser(
        "migrate",
        help="bring the database schema up to date",
        description="Apply every pending Alembic migration to DATABASE_URL.",
    )

    importer = commands.add_parser(
        "import",
        help="import units or users from a CSV file",
        description="Import a units or users CSV file whole, or refuse it whole with "
        "a report of every bad row (docs/import.md).",
    )
    importer.add_argument("file", type=Path, help="the CSV file")
    importer.add_argument("--dry-run", action="store_true", help="check the file and report, import nothing")

    user = commands.add_parser("user", help="manage accounts", description="Manage accounts.")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser(
        "add",
        help="create an account",
        description="Create an account. The password "
        "is asked for, or read from standard input when it is not a terminal.",
    )
    add.add_argument("login")
    add.add_argument("--name", required=True, help="full name")
    add.add_argument("--role", choices=[r.value for r in GlobalRole], default="staff", help="global role")
    add.add_argument("--unit", help="unit code")
    add.add_argument("--title", default="", help="job title")

    audit_parser = commands.add_parser("audit", help="check the audit log", description="Check the audit log.")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_commands.add_parser(
        "verify",
        help="verify the hash chain",
        description="Walk the audit log's hash chain "
        "and report the first edited, inserted or deleted row; exit 1 if there is one.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Each migration step is news only when something goes wrong.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLogger().level))
    db = Database(settings.database_url)
    try:
        if args.command == "serve":
            return _serve(settings, db, args)
        db.migrate()
        if args.command == "migrate":
            print("Database is up to date.")
        elif args.command == "demo":
            _demo(settings, db)
        elif args.command == "import":
            return _import(db, args)
        elif args.command == "user":
            return _user_add(db, args)
        elif args.command == "audit":
            with db.read() as session:
                verdict = audit.verify(session)
            print(f"{'OK' if verdict.ok else 'TAMPERED'}: {verdict.rows} rows checked. {verdict.problem}".strip())
            return 0 if verdict.ok else 1
        return 0
    finally:
        db.dispose()


def _demo(settings: Settings, db: Database) -> None:
    loaded = sample.load_sample(db, settings.demo_password)
    if not settings.signing_p12:
        # A demo organisation certificate (from a demo CA), so that the minutes can be signed out of the box.
        signing.ensure_demo_certificate(settings.data_dir / signing.DEMO_DIR, settings.issuer_name)
    print(f"Sample loaded: {loaded.meetings_created} new meeting(s), {loaded.users_created} new account(s).")
    print(f"Demo logins, all with the password {settings.demo_password!r} (ECABINET_DEMO_PASSWORD):")
    for login, name, title in loaded.logins:
        print(f"  {login:<12} {name} — {title}")


def _serve(settings: Settings, db: Database, args: argparse.Namespace) -> int:
    import uvicorn

    from ecabinet.app import create_app

    settings = settings.with_overrides(host=args.host or settings.host, port=args.port or settings.port)
    db.migrate()
    if args.demo:
        _demo(settings, db)
    print(f"eCabinet is at http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(
        create_app(settings, db),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        proxy_headers=False,
        ws_per_message_deflate=False,
        ws_max_size=settings.ws_max_message_bytes,
    )
    return 0


def _import(db: Database, args: argparse.Namespace) -> int:
    try:
        report = imports.import_csv(db, None, args.file.read_bytes(), dry_run=args.dry_run)
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        for problem in exc.details.get("errors", []):
            column = f" [{problem['field']}]" if problem["field"] else ""
            print(f"  line {problem['line']}{column}: {problem['message']}", file=sys.stderr)
        return 1
    verb = "Would import" if args.dry_run else "Imported"
    print(f"{verb} {report.kind}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged.")
    return 0


def _user_add(db: Database, args: argparse.Namespace) -> int:
    from sqlmodel import select

    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.", file=sys.stderr)
        return 1
    login = args.login.strip().lower()
    with db.write() as session:
        if session.exec(select(User).where(User.login == login)).first():
            print(f"The login {login} is taken.", file=sys.stderr)
            return 1
        unit_id = None
        if args.unit:
            unit = session.exec(select(Unit).where(Unit.code == args.unit)).first()
            if unit is None:
                print(f"No unit with code {args.unit}.", file=sys.stderr)
                return 1
            unit_id = unit.id
        user = User(
            login=login,
            name=args.name,
            title=args.title,
            role=args.role,
            unit_id=unit_id,
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
        audit.append(
            session,
            actor_id=None,
            action="user.created",
            object_type="user",
            object_id=user.id,
            data={"login": login, "role": args.role, "via": "cli"},
        )
    print(f"Created {login}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
