"""Configuration: only BOT_TOKEN is needed; a wrong value names its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, read_dotenv


def test_defaults_without_anything_mean_console_mode() -> None:
    settings = Settings.from_env({})
    assert settings.console_mode
    assert settings.database_path == Path("data/bot.db")
    assert settings.default_locale == "da"
    assert str(settings.timezone) == "Europe/Copenhagen"


def test_full_configuration_is_read() -> None:
    settings = Settings.from_env({
        "BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", "BOT_USERNAME": "@jc_bot",
        "BOT_API_BASE_URL": "http://127.0.0.1:8081/bot", "STAFF_CHAT_ID": "-100123",
        "ADMIN_IDS": "1, 2,3", "DEFAULT_LOCALE": "en", "PORT": "8443",
        "JOBCENTRE_NAME": "Jobcenter Sønderborg", "LOG_LEVEL": "debug",
    })
    assert not settings.console_mode
    assert settings.bot_username == "jc_bot"
    assert settings.staff_chat_id == -100123
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.log_level == "DEBUG"
    assert settings.staff_locale == "en", "the staff chat follows DEFAULT_LOCALE unless set"
    assert Settings.from_env({"STAFF_LOCALE": "da", "DEFAULT_LOCALE": "en"}).staff_locale == "da"
    assert "ABCDEFG" not in repr(settings), "the token never shows in a repr"


@pytest.mark.parametrize(("name", "value"), [
    ("BOT_TOKEN", "not-a-token"), ("STAFF_CHAT_ID", "staff"), ("ADMIN_IDS", "1,two"),
    ("DEFAULT_LOCALE", "de"), ("STAFF_LOCALE", "fr"), ("TIMEZONE", "Mars/Olympus"),
    ("PORT", "70000"),
    ("BOT_API_BASE_URL", "ftp://x"), ("LOG_LEVEL", "LOUD"),
    ("WEBHOOK_URL", "http://bot.example.org/hook"), ("REALERT_MINUTES", "0"),
    ("REALERT_MINUTES", "-5"), ("CHECKIN_SCHEDULE", "0s"), ("CHECKIN_SCHEDULE", "-2d"),
    ("CONSULTANT_HOURS", "15:00-08:00"),
])
def test_wrong_value_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name}:"):
        Settings.from_env({name: value})


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# comment\nJOBCENTRE_NAME='Jobcenter Assens'\nexport PORT=9000\n")
    assert read_dotenv(env) == {"JOBCENTRE_NAME": "Jobcenter Assens", "PORT": "9000"}
    assert read_dotenv(tmp_path / "missing") == {}


def test_a_token_without_a_staff_chat_is_refused_unless_a_trial_says_so() -> None:
    token = {"BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    with pytest.raises(ConfigError, match=r"^STAFF_CHAT_ID: required with BOT_TOKEN"):
        Settings.from_env(token)
    trial = Settings.from_env({**token, "ALLOW_NO_STAFF_CHAT": "1"})
    assert trial.staff_chat_id is None
    assert Settings.from_env({**token, "STAFF_CHAT_ID": "-100123"}).staff_chat_id == -100123
    assert Settings.from_env({}).console_mode, "console mode needs neither"
