"""`kill -USR1 <pid>` writes every asyncio task's and thread's stack to stderr: how an operator
(or a test) sees what a process that will not stop is waiting on. Frames only, no local values,
so no personal data reaches the log."""

from __future__ import annotations

import asyncio
import faulthandler
import io
import logging
import signal
import sys

log = logging.getLogger(__name__)


def install_stack_dump() -> None:
    """On SIGUSR1: the tasks of the running loop, then every thread. A no-op where the platform
    has no SIGUSR1 or the loop takes no signal handlers."""
    if not hasattr(signal, "SIGUSR1"):
        return
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, dump_stacks)
    except (NotImplementedError, RuntimeError):
        return


def dump_stacks() -> None:
    tasks = sorted(asyncio.all_tasks(), key=lambda task: task.get_name())
    out = io.StringIO()
    for task in tasks:
        print(f"--- task {task.get_name()}", file=out)
        task.print_stack(limit=12, file=out)
    log.warning("stack dump on SIGUSR1: %d tasks\n%s", len(tasks), out.getvalue())
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
