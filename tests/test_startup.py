"""The real process at start: what it refuses, what it checks and logs before serving."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("BOT_", "DATABASE", "STAFF_", "ALLOW_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, capture_output=True, text=True,
        env={**clean, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "t.db"), **env},
        timeout=60, check=False,
    )


def test_a_token_without_a_staff_chat_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_bot(tmp_path, BOT_TOKEN=TOKEN, BOT_API_BASE_URL="http://127.0.0.1:9/bot")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("configuration error: STAFF_CHAT_ID: required with BOT_TOKEN")
