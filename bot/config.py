"""Settings read once from the environment (and an optional .env file)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SUPPORTED_LOCALES = ("da", "en")
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_API_FILE_URL = "https://api.telegram.org/file/bot"
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
_HOST_PORT_RE = re.compile(r"^[A-Za-z0-9.-]+:\d{1,5}$")
_USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_HOURS_RE = re.compile(r"^(\d{2}:\d{2})\s*-\s*(\d{2}:\d{2})$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


_DURATION_RE = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class CheckinSchedule:
    """Check-ins counted from joining: fixed offsets, then every `repeat` (e.g. 2d,7d,+28d)."""

    offsets: tuple[timedelta, ...]
    repeat: timedelta | None

    @classmethod
    def parse(cls, text: str) -> CheckinSchedule:
        offsets: list[timedelta] = []
        repeat: timedelta | None = None
        for part in (p.strip() for p in text.split(",")):
            is_repeat = part.startswith("+")
            match = _DURATION_RE.match(part.removeprefix("+"))
            if not match or int(match.group(1)) == 0:
                raise ValueError(f"bad entry {part!r}: use e.g. 2d,7d,14d,28d,+28d "
                                 "(units s, m, h, d)")
            value = timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
            if is_repeat:
                repeat = value
            elif offsets and value <= offsets[-1]:
                raise ValueError(f"offsets must increase, {part!r} does not")
            else:
                offsets.append(value)
        if not offsets:
            raise ValueError("at least one offset is needed")
        return cls(tuple(offsets), repeat)

    def offset(self, slot: int) -> timedelta | None:
        """Time from joining to check-in number `slot` (0-based); None when the cadence ends."""
        if slot < len(self.offsets):
            return self.offsets[slot]
        if self.repeat is None:
            return None
        return self.offsets[-1] + self.repeat * (slot - len(self.offsets) + 1)


DEFAULT_SCHEDULE = CheckinSchedule.parse("2d,7d,14d,28d,+28d")


class ConfigError(ValueError):
    """A setting is wrong; the message names the variable so an operator can fix it at once."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot is configured with; only BOT_TOKEN is needed to run for real."""

    token: str | None = field(default=None, repr=False)
    bot_username: str | None = None
    api_base_url: str = DEFAULT_API_BASE_URL
    api_file_url: str = DEFAULT_API_FILE_URL
    database_path: Path = Path("data/bot.db")
    database_url: str | None = field(default=None, repr=False)  # PostgreSQL; wins over the path
    staff_chat_id: int | None = None
    admin_ids: frozenset[int] = frozenset()
    default_locale: str = "da"
    staff_locale: str | None = None  # None: the default locale
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Copenhagen"))
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    port: int = 8080
    jobcentre_name: str = "Jobcentret"
    log_level: str = "INFO"
    consultant_hours: tuple[time, time] = (time(8, 0), time(15, 30))
    consultant_weekends: bool = False
    realert_after: timedelta = timedelta(minutes=10)
    onduty_mention: str = ""
    help_numbers_file: Path | None = None
    checkin_schedule: CheckinSchedule = field(default_factory=lambda: DEFAULT_SCHEDULE)
    quiet_hours: tuple[time, time] | None = (time(20, 0), time(8, 0))
    quiet_weekends: bool = True
    risk_model: bool = True
    webinar_reminder: timedelta = timedelta(minutes=30)  # WEBINAR_REMINDER_MINUTES before a start
    club_reminder: timedelta = timedelta(minutes=60)  # CLUB_REMINDER_MINUTES, with the link
    seat_offer: timedelta = timedelta(hours=24)  # SEAT_OFFER_HOURS, counted outside quiet hours
    club_waitlist_alert: int = 8  # CLUB_WAITLIST_ALERT: waiting for a kind of club -> coordinators
    send_rate: int = 25  # messages/s for everything the bot sends (bot/outbox/budget.py)
    broadcast_paid: bool = False  # broadcasts with allow_paid_broadcast: up to 1000/s, in Stars
    draft_max_mb: int = 10  # DRAFT_MAX_MB: the largest draft file taken (Telegram: ≤ 20 MB)
    draft_answer_days: int = 3  # DRAFT_ANSWER_DAYS: working days promised for feedback
    draft_retention: timedelta = timedelta(days=30)  # DRAFT_RETENTION_DAYS after the feedback
    clamd_socket: str | None = None  # CLAMD_SOCKET: clamd's unix socket or host:port; None: no scan

    @property
    def database_label(self) -> str:
        """Where the data is, for logs and messages: the SQLite path, or the PostgreSQL URL
        without its password."""
        return url_label(self.database_url) if self.database_url else str(self.database_path)

    @property
    def database_password(self) -> str | None:
        """DATABASE_URL's password, kept out of every log line."""
        return urlsplit(self.database_url).password if self.database_url else None

    @property
    def console_mode(self) -> bool:
        """Without a token there is nobody to talk to but the terminal."""
        return self.token is None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        """Validate every variable; the first bad one raises ConfigError naming it."""
        get = _Reader(env)
        token = get.str("BOT_TOKEN")
        if token is not None and not _TOKEN_RE.match(token):
            raise ConfigError("BOT_TOKEN: expected the form 123456:ABC... given by BotFather")
        username = get.str("BOT_USERNAME")
        if username is not None:
            username = username.removeprefix("@")
            if not _USERNAME_RE.match(username):
                raise ConfigError("BOT_USERNAME: expected a bot username like jobcenter_bot")
        locale = get.str("DEFAULT_LOCALE") or "da"
        if locale not in SUPPORTED_LOCALES:
            raise ConfigError(f"DEFAULT_LOCALE: must be one of {', '.join(SUPPORTED_LOCALES)}")
        staff_locale = get.str("STAFF_LOCALE") or locale
        if staff_locale not in SUPPORTED_LOCALES:
            raise ConfigError(f"STAFF_LOCALE: must be one of {', '.join(SUPPORTED_LOCALES)}")
        tz_name = get.str("TIMEZONE") or "Europe/Copenhagen"
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"TIMEZONE: unknown time zone {tz_name!r}") from None
        level = (get.str("LOG_LEVEL") or "INFO").upper()
        if level not in _LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL: must be one of {', '.join(_LOG_LEVELS)}")
        port = get.int("PORT", 8080)
        if not 0 < port < 65536:
            raise ConfigError("PORT: must be between 1 and 65535")
        staff_chat_id = get.int("STAFF_CHAT_ID", None)
        if token and staff_chat_id is None and not get.bool("ALLOW_NO_STAFF_CHAT", False):
            raise ConfigError("STAFF_CHAT_ID: required with BOT_TOKEN, or urgent messages reach "
                              "nobody (ALLOW_NO_STAFF_CHAT=1 only for a trial without staff)")
        draft_max_mb = get.positive_int("DRAFT_MAX_MB", 10)
        if draft_max_mb > 20:
            raise ConfigError("DRAFT_MAX_MB: at most 20 (Telegram lets a bot download files of "
                              "up to 20 MB)")
        clamd_socket = get.str("CLAMD_SOCKET")
        if clamd_socket and "/" not in clamd_socket and not _HOST_PORT_RE.match(clamd_socket):
            raise ConfigError("CLAMD_SOCKET: a unix socket path (/run/clamav/clamd.ctl) or "
                              "host:port (127.0.0.1:3310)")
        return cls(
            checkin_schedule=get.schedule("CHECKIN_SCHEDULE"),
            quiet_hours=get.quiet_hours("QUIET_HOURS"),
            quiet_weekends=get.bool("QUIET_WEEKENDS", True),
            consultant_hours=get.hours("CONSULTANT_HOURS", (time(8, 0), time(15, 30))),
            consultant_weekends=get.bool("CONSULTANT_WEEKENDS", False),
            realert_after=timedelta(minutes=get.positive_int("REALERT_MINUTES", 10)),
            onduty_mention=get.str("ONDUTY_MENTION") or "",
            help_numbers_file=Path(p) if (p := get.str("HELP_NUMBERS_FILE")) else None,
            token=token,
            bot_username=username,
            api_base_url=get.url("BOT_API_BASE_URL") or DEFAULT_API_BASE_URL,
            api_file_url=get.url("BOT_API_FILE_URL") or DEFAULT_API_FILE_URL,
            database_path=Path(get.str("DATABASE_PATH") or "data/bot.db"),
            database_url=get.database_url("DATABASE_URL"),
            staff_chat_id=staff_chat_id,
            admin_ids=get.int_set("ADMIN_IDS"),
            default_locale=locale,
            staff_locale=staff_locale,
            timezone=tz,
            webhook_url=get.https_url("WEBHOOK_URL"),
            webhook_secret=get.str("WEBHOOK_SECRET"),
            port=port,
            jobcentre_name=get.str("JOBCENTRE_NAME") or "Jobcentret",
            log_level=level,
            risk_model=get.bool("RISK_MODEL", True),
            webinar_reminder=timedelta(minutes=get.positive_int("WEBINAR_REMINDER_MINUTES", 30)),
            club_reminder=timedelta(minutes=get.positive_int("CLUB_REMINDER_MINUTES", 60)),
            seat_offer=timedelta(hours=get.positive_int("SEAT_OFFER_HOURS", 24)),
            club_waitlist_alert=get.positive_int("CLUB_WAITLIST_ALERT", 8),
            send_rate=get.positive_int("SEND_RATE", 25),
            broadcast_paid=get.bool("BROADCAST_PAID", False),
            draft_max_mb=draft_max_mb,
            draft_answer_days=get.positive_int("DRAFT_ANSWER_DAYS", 3),
            draft_retention=timedelta(days=get.positive_int("DRAFT_RETENTION_DAYS", 30)),
            clamd_socket=clamd_socket,
        )


def url_label(url: str) -> str:
    """A database URL for logs and messages: scheme, user, host, port and database, never the
    password (nor the query, which may carry one)."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{user}{host}{port}{parts.path}"


class _Reader:
    """Typed access to raw variables; empty strings count as unset."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def database_url(self, name: str) -> str | None:
        """A PostgreSQL URL (postgresql://user:password@host:port/database); a bad one is
        named without repeating it, as it may hold a password."""
        raw = self.str(name)
        if raw is None:
            return None
        parts = urlsplit(raw)
        if parts.scheme not in ("postgresql", "postgres"):
            raise ConfigError(f"{name}: expected postgresql://user:password@host:port/database")
        try:
            parts.port  # noqa: B018 (a bad port raises)
        except ValueError:
            raise ConfigError(f"{name}: the port is not a number from 1 to 65535") from None
        return raw

    def str(self, name: str) -> str | None:
        value = self._env.get(name, "").strip()
        return value or None

    def int(self, name: str, default: int | None) -> int | None:
        raw = self.str(name)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None

    def positive_int(self, name: str, default: int) -> int:
        """A count or duration: zero or less is refused, never silently replaced."""
        value = self.int(name, default)
        assert value is not None
        if value < 1:
            raise ConfigError(f"{name}: must be a positive whole number, got {value}")
        return value

    def int_set(self, name: str) -> frozenset[int]:
        raw = self.str(name) or ""
        parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        try:
            return frozenset(int(p) for p in parts)
        except ValueError:
            raise ConfigError(f"{name}: expected comma-separated Telegram user ids") from None

    def bool(self, name: str, default: bool) -> bool:
        raw = (self.str(name) or "").lower()
        if not raw:
            return default
        if raw not in ("true", "false", "1", "0", "yes", "no"):
            raise ConfigError(f"{name}: expected true or false, got {raw!r}")
        return raw in ("true", "1", "yes")

    def hours(self, name: str, default: tuple[time, time]) -> tuple[time, time]:
        raw = self.str(name)
        if raw is None:
            return default
        match = _HOURS_RE.match(raw)
        if not match:
            raise ConfigError(f"{name}: expected HH:MM-HH:MM, got {raw!r}")
        try:
            start, end = time.fromisoformat(match.group(1)), time.fromisoformat(match.group(2))
        except ValueError:
            raise ConfigError(f"{name}: not a valid time range: {raw!r}") from None
        if start >= end:
            raise ConfigError(f"{name}: the start must be before the end")
        return start, end

    def schedule(self, name: str) -> CheckinSchedule:
        raw = self._env.get(name)
        if raw is None or not raw.strip():
            return DEFAULT_SCHEDULE
        try:
            return CheckinSchedule.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None

    def quiet_hours(self, name: str) -> tuple[time, time] | None:
        """'20:00-08:00' (may wrap midnight); set but empty means no quiet hours at all."""
        if name in self._env and not self._env[name].strip():
            return None
        raw = self.str(name)
        if raw is None:
            return (time(20, 0), time(8, 0))
        match = _HOURS_RE.match(raw)
        if not match:
            raise ConfigError(f"{name}: expected HH:MM-HH:MM (or empty for none), got {raw!r}")
        try:
            return time.fromisoformat(match.group(1)), time.fromisoformat(match.group(2))
        except ValueError:
            raise ConfigError(f"{name}: not a valid time range: {raw!r}") from None

    def https_url(self, name: str) -> str | None:
        """Telegram delivers webhooks over TLS only."""
        raw = self.str(name)
        if raw is not None and not raw.startswith("https://"):
            raise ConfigError(f"{name}: must be an https:// URL (Telegram only calls webhooks "
                              "over TLS)")
        return raw

    def url(self, name: str) -> str | None:
        raw = self.str(name)
        if raw is not None and not raw.startswith(("http://", "https://")):
            raise ConfigError(f"{name}: expected an http:// or https:// URL")
        return raw


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; comments and blank lines ignored; quotes around values stripped."""
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


def load_settings(dotenv: Path = Path(".env")) -> Settings:
    """The process environment wins over .env, as operators expect."""
    return Settings.from_env({**read_dotenv(dotenv), **os.environ})
