"""The `ecabinet` command, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from ecabinet.database import Database

COMMANDS = [[], ["serve"], ["demo"], ["migrate"], ["import"], ["user"], ["user", "add"], ["audit"], ["audit", "verify"]]


def run(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ECABINET_", "DATABASE_URL"))}
    env["ECABINET_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "ecabinet.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "top")
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    """`ecabinet … --help` describes each command."""
    result = run(tmp_path, *command, "--help")
    assert result.returncode == 0 and "usage: ecabinet" in result.stdout


def test_demo_migrate_import_user_and_audit(tmp_path: Path) -> None:
    """From an empty data dir: demo loads once, import reports, user add works, the audit chain verifies."""
    first = run(tmp_path, "demo")
    assert first.returncode == 0 and "1 new meeting" in first.stdout and "thuky" in first.stdout
    assert "0 new meeting" in run(tmp_path, "demo").stdout
    csv_file = tmp_path / "units.csv"
    csv_file.write_text("code,name,kind,parent\nP-X,Phường X,ward,HN\n", encoding="utf-8")
    assert "1 created" in run(tmp_path, "import", str(csv_file)).stdout
    assert "0 created, 0 updated, 1 unchanged" in run(tmp_path, "import", str(csv_file)).stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind\nP-Y,,ward\n", encoding="utf-8")
    refused = run(tmp_path, "import", str(bad))
    assert refused.returncode == 1 and "line 2 [name]: is empty" in refused.stderr
    assert (
        run(tmp_path, "user", "add", "vanthu", "--name", "Văn thư", "--unit", "P-X", stdin="secret1\n").returncode == 0
    )
    assert run(tmp_path, "user", "add", "vanthu", "--name", "Lần hai", stdin="secret1\n").returncode == 1
    verified = run(tmp_path, "audit", "verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK")


def test_audit_verify_fails_on_a_tampered_log(tmp_path: Path) -> None:
    """`ecabinet audit verify` exits 1 and names the row when the log was edited."""
    assert run(tmp_path, "demo").returncode == 0
    db = Database(f"sqlite:///{tmp_path / 'ecabinet.db'}")
    with db.engine.begin() as c:
        c.execute(sa.text("UPDATE audit_event SET action = 'nothing.happened' WHERE seq = 1"))
    db.dispose()
    result = run(tmp_path, "audit", "verify")
    assert result.returncode == 1 and "TAMPERED" in result.stdout and "seq 1" in result.stdout
