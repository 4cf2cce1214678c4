"""Restart-proof timers: due times are rows, one loop fires what is due.

A restart re-arms nothing: the first scan after start finds everything that fell due while the
bot was down and fires each timer once (a handler decides the next due time itself, so missed
slots are skipped rather than replayed).
"""

from bot.scheduler.model import Next, Timer
from bot.scheduler.service import Scheduler

__all__ = ["Next", "Scheduler", "Timer"]
