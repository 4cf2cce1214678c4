"""DATABASE_URL that cannot be used: one line naming it, exit 2, and never the password."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.conftest import run_cli

PASSWORD = "s3cret-Pa55word"


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_server_exits_2_without_the_password(tmp_path: Path) -> None:
    port = _closed_port()
    url = f"postgresql://bot:{PASSWORD}@127.0.0.1:{port}/jobcentre"
    result = run_cli(tmp_path, "migrate", database=False, DATABASE_URL=url)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        f"DATABASE_URL: cannot connect to postgresql://bot@127.0.0.1:{port}/jobcentre (")
    assert PASSWORD not in result.stderr + result.stdout


def test_a_url_that_is_not_postgresql_is_a_configuration_error(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", database=False,
                     DATABASE_URL=f"mysql://bot:{PASSWORD}@db/jobcentre")
    assert result.returncode == 2
    assert result.stderr.strip() == ("configuration error: DATABASE_URL: expected "
                                     "postgresql://user:password@host:port/database")
    assert PASSWORD not in result.stderr + result.stdout


def test_a_bad_port_is_named_without_the_url(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", database=False,
                     DATABASE_URL=f"postgresql://bot:{PASSWORD}@db:port/jobcentre")
    assert result.returncode == 2
    assert "DATABASE_URL: the port is not a number" in result.stderr
    assert PASSWORD not in result.stderr + result.stdout
