"""The deployment files: docker-compose.yml is valid and uses only real settings."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ecabinet.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_compose_has_app_database_broker_and_turn() -> None:
    """docker-compose.yml parses and runs app workers with PostgreSQL, Redis and TURN."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert {"app", "migrate", "postgres", "redis", "turn"} <= set(compose["services"])
    environment = compose["x-app"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert environment["ECABINET_BROKER_URL"].startswith("redis://")


def test_compose_sets_only_known_settings() -> None:
    """Every ECABINET_ variable docker-compose.yml sets is one the app reads."""
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"^\s+(ECABINET_[A-Z_]+|DATABASE_URL):", text, re.MULTILINE))
    assert names and names <= set(SETTINGS)
