"""Which dialog a citizen's button or text belongs to: the one they are in now."""

from __future__ import annotations

from bot.engine.runner import DialogRunner
from bot.engine.storage import Session, SessionStore


class DialogRouter:
    """All dialog runners by name; input goes to the citizen's current dialog."""

    def __init__(self, sessions: SessionStore, default: str) -> None:
        self._sessions = sessions
        self._default_name = default
        self._runners: dict[str, DialogRunner] = {}

    def add(self, runner: DialogRunner) -> None:
        if runner.name in self._runners:
            raise ValueError(f"dialog {runner.name!r} registered twice")
        self._runners[runner.name] = runner

    def __getitem__(self, name: str) -> DialogRunner:
        return self._runners[name]

    def check_default(self) -> None:
        """At start: the dialog for citizens in none is among those added."""
        if self._default_name not in self._runners:
            raise ValueError(f"no dialog {self._default_name!r} for citizens in no dialog yet")

    @property
    def _default(self) -> DialogRunner:
        return self._runners[self._default_name]

    async def current(self, subject_id: int) -> DialogRunner:
        """A button from another dialog is then answered as stale by this one."""
        runner, _session = await self.route(subject_id)
        return runner

    async def route(self, subject_id: int) -> tuple[DialogRunner, Session | None]:
        """The citizen's current dialog and its session, read once."""
        session = await self._sessions.load(subject_id)
        if session is None:
            return self._default, None
        return self._runners.get(session.dialog, self._default), session
