"""Settings: every one is read in settings.py and documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ecabinet.settings import SETTINGS, Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme_table() -> None:
    """The README's configuration table lists every setting with its default."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1) for m in re.finditer(r"^\| `([A-Z0-9_]+)` \|", readme, re.MULTILINE)}
    assert set(SETTINGS) <= rows, f"missing from README: {sorted(set(SETTINGS) - rows)}"


def test_no_other_module_reads_the_environment() -> None:
    """Only ecabinet/settings.py reads os.environ (STYLE rule 8)."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("ecabinet", "realtime")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "settings.py" and re.search(r"os\.environ|os\.getenv", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_defaults_are_the_embedded_ones(tmp_path: Path) -> None:
    """With nothing set: SQLite in ./data, the memory broker, 127.0.0.1:8000."""
    settings = Settings.from_env({}, dotenv=None)
    assert (settings.host, settings.port, settings.broker_url) == ("127.0.0.1", 8000, "memory://")
    assert settings.database_url == f"sqlite:///{Path('data').resolve() / 'ecabinet.db'}"
    assert settings.demo_password == "demo" and not settings.secure_cookies


def test_environment_beats_dotenv_beats_default(tmp_path: Path) -> None:
    """A value in the environment wins over .env, which wins over the default."""
    dotenv = tmp_path / ".env"
    dotenv.write_text("ECABINET_PORT=9001\nECABINET_HOST=0.0.0.0\n", encoding="utf-8")
    settings = Settings.from_env({"ECABINET_PORT": "9002"}, dotenv=dotenv)
    assert (settings.host, settings.port) == ("0.0.0.0", 9002)


def test_postgres_urls_use_psycopg3() -> None:
    """postgresql:// URLs are given the psycopg 3 driver we ship."""
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u@h/db"}, dotenv=None)
    assert settings.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [("ECABINET_PORT", "eighty"), ("ECABINET_DEFAULT_LANGUAGE", "fr"), ("ECABINET_PUBLIC_URL", "ftp://x")],
)
def test_a_bad_value_is_a_clear_error(name: str, value: str) -> None:
    """A malformed setting stops start-up with a message naming it."""
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value}, dotenv=None)


def test_the_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    """Without ECABINET_SECRET_KEY, a key is made once in the data dir, so restarts keep sign-ins."""
    settings = Settings.from_env({"ECABINET_DATA_DIR": str(tmp_path)}, dotenv=None)
    first = settings.resolved_secret_key()
    assert first == settings.resolved_secret_key() and len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
