"""Updates per second: a bare PTB echo application versus the full path of our bot.

    python -m benchmarks.updates [--updates 5000] [--chats 500] [--repeat 3] [--warmup 300]

Both variants get the same synthetic stream (the chats interleaved round-robin) through
`Application.update_queue`, so PTB's update fetcher and the update processor (cross-chat
concurrency, order within a chat) are part of what is measured. Both talk to the in-process
`LocalBotApi`, which encodes every request and decodes every answer like the real client.

* echo (PTB default): `concurrent_updates(True)`; text is echoed with `reply_text`, a button
  press is answered and its data echoed as a message (so no update is free).
* echo (ChatOrdered): the same echo on our `ChatOrderedProcessor`.
* full path: `bot.app.build_application` on a fresh temp SQLite file — the inbox (each batch
  of 100 committed before it is queued, as getUpdates does, and every update marked done),
  dispatch, the dialog engine, the SQL reads and writes, rendering and the Bot API calls a
  citizen would cause.
* replay (no logic): for each update, exactly the Bot API calls the full path made for it
  (recorded in the last full-path run), on `ChatOrderedProcessor`, with no database, dialog
  or rendering, and (like the full path's) answers left undecoded. Its ratio to the echo is
  the ceiling for any bot that has to say what ours says; full ÷ replay is the share of time
  our own code leaves.

Each variant runs in a fresh interpreter (`--worker`), the replay together with the full-path
run it replays, so none runs on the heap, caches and collector history the ones before it left;
`--in-process` runs them all in this one process, one after another, as before 2026-12-07.
Absolute numbers vary a lot between runs on a small machine; compare the ratio, which is
taken per repeat (the variants run back to back) and summarised by its median.
Exit code is 0 whether the goal is met or not: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Bot, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from benchmarks.latency import (
    CITIZENS,
    P99_GOAL_MS,
    LatencyRun,
    chatting_users,
    populate,
    run_latency,
)
from benchmarks.latency import summary as latency_summary
from bot.app import build_application
from bot.config import Settings
from bot.context import AppContext
from bot.dispatch import ChatOrderedProcessor
from bot.engine.runner import STALE_BUTTON
from bot.errors import SORRY
from bot.gc_tuning import serving_thresholds
from bot.inbox.raw import bodies_of
from bot.transport.local_api import ApiCall, LocalBotApi
from bot.transport.local_updates import UpdateFactory

TOKEN = "123456:BENCH-token-xxxxxxxxxxxxxxxxxxxx"
GOAL = 0.35
TRIPS_GOAL = 1.5  # SQL trips to the database thread per update, under load
COMMITS_GOAL = 0.2  # commits per update, under load
THROUGHPUT_SEND_RATE = 1_000_000
POLL_BATCH = 100  # the most one getUpdates returns
"""SEND_RATE of the full path: the local Bot API is not Telegram, and at the real 25/s the
send budget (bot/outbox/budget.py), not the code, would set the pace."""
USER_BASE = 100_000  # citizens of the timed run
WARMUP_USER_BASE = 900_000  # separate citizens for the warm-up
ECHO_PTB = "echo (PTB default)"
ECHO_OURS = "echo (ChatOrdered)"
FULL = "full path"
REPLAY = "replay (no logic)"
PEER_PTB = "PTB Conversation"
PEER_AIOGRAM = "aiogram 3 FSM"
PEERS = {PEER_PTB: "PTB ConversationHandler, SQLite group commit",
         PEER_AIOGRAM: "aiogram 3 FSM, SQLite"}
"""The same dialog built the usual ways (benchmarks/peers/, the `bench` extra)."""
PEERS_INSTALLED = importlib.util.find_spec("aiogram") is not None
VARIANTS = (ECHO_PTB, ECHO_OURS, FULL, REPLAY,  # the replay needs a full-path run before it
            *((PEER_PTB, PEER_AIOGRAM) if PEERS_INSTALLED else ()))
CURRENT_UPDATE: ContextVar[int | None] = ContextVar("current_update", default=None)
Recording = dict[int, list[tuple[str, dict[str, Any]]]]

# ---------------------------------------------------------------------------------------------
# The workload: per chat, an opening that walks onboarding, then a cycle through the menu.
# Each step is (kind, payload, state the session is in afterwards).

Step = tuple[str, str, str]
MSG, PRESS = "msg", "press"


def _press(state: str, button: str, after: str) -> Step:
    return (PRESS, f"onboarding|{state}|{button}", after)


OPENING: tuple[Step, ...] = (
    (MSG, "/start", "welcome"),
    _press("welcome", "go", "consent"),
    _press("consent", "checkins", "consent"),
    _press("consent", "webinars", "consent"),
    _press("consent", "save", "ask_name"),
    (MSG, "Anna", "ask_month"),
    _press("ask_month", "m1", "ask_time"),
    _press("ask_time", "morning", "ask_language"),
    _press("ask_language", "da", "done"),
    (MSG, "/menu", "menu"),
)
CYCLE: tuple[Step, ...] = (  # starts and ends in "menu"
    _press("menu", "name", "ask_name"),
    (MSG, "Anna", "menu"),
    _press("menu", "consents", "consent"),
    _press("consent", "checkins", "consent"),
    _press("consent", "webinars", "consent"),
    _press("consent", "save", "menu"),
    _press("menu", "month", "ask_month"),
    _press("ask_month", "m1", "menu"),
    _press("menu", "time", "ask_time"),
    _press("ask_time", "morning", "menu"),
    _press("menu", "language", "ask_language"),
    _press("ask_language", "da", "menu"),
    (MSG, "/menu", "menu"),
    (MSG, "/start", "menu"),  # a returning citizen: "welcome back", same step
)


def chat_step(index: int) -> Step:
    if index < len(OPENING):
        return OPENING[index]
    return CYCLE[(index - len(OPENING)) % len(CYCLE)]


@dataclass(frozen=True, slots=True)
class Plan:
    """Exactly `total` steps over the chats, interleaved round-robin."""

    steps: tuple[tuple[int, Step], ...]  # (user id, step)
    final_state: dict[int, str]

    @classmethod
    def build(cls, total: int, chats: int, user_base: int | list[int],
              first: int = 0) -> Plan:
        """`first` skips that many steps of each chat (len(OPENING): onboarded already)."""
        chats = max(1, min(chats, total))
        users = (user_base if isinstance(user_base, list)
                 else [user_base + chat for chat in range(chats)])
        per_chat = [total // chats + (1 if i < total % chats else 0) for i in range(chats)]
        steps: list[tuple[int, Step]] = []
        final: dict[int, str] = {}
        for index in range(max(per_chat, default=0)):
            for chat, count in enumerate(per_chat):
                if index < count:
                    step = chat_step(first + index)
                    steps.append((users[chat], step))
                    final[users[chat]] = step[2]
        return cls(tuple(steps), final)

    @property
    def presses(self) -> int:
        return sum(1 for _, (kind, _, _) in self.steps if kind == PRESS)

    def updates(self, factory: UpdateFactory) -> list[Update]:
        """Built (de_json'd) before timing; message ids roughly like the bot's own."""
        made = []
        for user, (kind, payload, _after) in self.steps:
            if kind == MSG:
                made.append(factory.message(user, payload, language_code="da"))
            else:
                made.append(factory.press(user, payload, message_id=2, language_code="da"))
        return made


# ---------------------------------------------------------------------------------------------
# Bot API side: count calls instead of keeping them, identically for every variant.


class CallTally(list[ApiCall]):
    """Stands in for `LocalBotApi.calls`: tallies each call and keeps none (flat memory)."""

    def __init__(self) -> None:
        super().__init__()
        self.methods: Counter[str] = Counter()
        self.flagged: Counter[str] = Counter()  # what meaning -> how many calls (the full
        # path's, looked for in its recording after the run: `flag`)
        self.recording: Recording | None = None  # update id -> the calls it caused

    def append(self, call: ApiCall) -> None:
        self.methods[call.method] += 1
        if self.recording is not None and (update_id := CURRENT_UPDATE.get()) is not None:
            self.recording.setdefault(update_id, []).append((call.method, call.params))

    def reset(self) -> None:
        self.methods.clear()
        self.flagged.clear()

    def flag(self, watch: dict[str, str]) -> None:
        """Counts the recorded calls (warm-up and timed run) whose text has a fragment of
        `watch` (fragment -> what it means). Done after the run, so the timed run does not
        pay for the benchmark's own check."""
        for calls in (self.recording or {}).values():
            for _method, params in calls:
                text = params.get("text")
                if isinstance(text, str):
                    for fragment, meaning in watch.items():
                        if fragment in text:
                            self.flagged[meaning] += 1


class ProblemLog(logging.Handler):
    """Counts WARNING+ records (an error handler firing logs at ERROR) and keeps a few."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0
        self.first: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.first) < 5:
            self.first.append(f"{record.levelname} {record.name}: {record.getMessage()}")


# ---------------------------------------------------------------------------------------------
# The variants.


async def echo_text(update: Update, context: Any) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def echo_press(update: Update, context: Any) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    await context.bot.send_message(query.message.chat.id, query.data or "")


def build_echo(api: LocalBotApi, processor: BaseUpdateProcessor | bool) -> Application:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(processor)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo_text))
    application.add_handler(CallbackQueryHandler(echo_press))
    return application


async def mark_update(update: Update, context: Any) -> None:
    """First handler of the full path: later Bot API calls in this task belong to `update`."""
    CURRENT_UPDATE.set(update.update_id)


def build_replay(api: LocalBotApi, recording: Recording) -> Application:  # type: ignore[type-arg]
    async def replay(update: Update, context: Any) -> None:
        for method, params in recording.get(update.update_id, ()):
            # answers not decoded, as the full path's own calls (bot/lean_bot.py)
            await context.bot._post(method, api_kwargs=dict(params))

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(ChatOrderedProcessor())
        .build()
    )
    application.add_handler(TypeHandler(Update, replay))
    return application


@dataclass
class Run:
    variant: str
    seconds: float
    cpu_seconds: float
    updates: int
    methods: Counter[str]
    problems: list[str] = field(default_factory=list)
    trips: int = 0
    commits: int = 0

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else float("inf")

    @property
    def cpu_us(self) -> float:
        """CPU microseconds per update."""
        return self.cpu_seconds / self.updates * 1e6


async def feed(application: Application,  # type: ignore[type-arg]
               updates: Sequence[Update]) -> tuple[float, float]:
    """Enqueue everything, wait until the processor has finished every update.

    Returns wall-clock seconds and CPU seconds of the whole process (all threads, so the
    SQLite worker thread counts too); CPU time suffers less from other load on the machine.
    """
    inbox = getattr(application.bot, "inbox", None)  # the full path's (bot/inbox)
    batches = [updates[start:start + POLL_BATCH] for start in range(0, len(updates), POLL_BATCH)]
    answers = [json.dumps({"ok": True, "result": [u.to_dict() for u in batch]}).encode()
               for batch in batches] if inbox is not None else []  # as Telegram sends them
    gc.collect()
    cpu = time.process_time()
    started = time.perf_counter()
    for index, batch in enumerate(batches):
        if inbox is not None:  # kept as the bot's getUpdates keeps them, a batch at a time
            await inbox.keep(batch, bodies_of(answers[index]))
        for update in batch:
            application.update_queue.put_nowait(update)
    await application.update_queue.join()
    return time.perf_counter() - started, time.process_time() - cpu


async def run_variant(variant: str, plan: Plan, warmup: Plan, workdir: Path,
                      log: ProblemLog, recording: Recording) -> Run:
    if variant != FULL:
        return await _run_variant(variant, plan, warmup, workdir, log, recording)
    with serving_thresholds():  # as `python -m bot` runs; the other bots keep Python's own
        return await _run_variant(variant, plan, warmup, workdir, log, recording)


async def _run_variant(variant: str, plan: Plan, warmup: Plan, workdir: Path,
                       log: ProblemLog, recording: Recording) -> Run:
    tally = CallTally()
    api = LocalBotApi(calls=tally)
    full = variant == FULL
    if full:
        # The risk model's cost per free text is measured on its own (benchmarks.risk); here
        # it would only hide the storage and dispatch path this benchmark is about.
        settings = Settings(token=TOKEN, database_path=workdir / "bench.db", risk_model=False,
                            send_rate=THROUGHPUT_SEND_RATE)
        application = build_application(settings, request=api, clock=None, background=False)
        application.add_handler(TypeHandler(Update, mark_update), group=-1000)
        recording.clear()
        tally.recording = recording
    elif variant == REPLAY:
        application = build_replay(api, recording)
    elif variant == PEER_PTB:
        from benchmarks.peers import ptb_conversation

        application = ptb_conversation.build(api, TOKEN, workdir / "peer.db")
    else:
        processor = ChatOrderedProcessor() if variant == ECHO_OURS else True
        application = build_echo(api, processor)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        try:
            factory = UpdateFactory(application.bot)
            warm = warmup.updates(factory)
            timed = plan.updates(factory)
            if warm:
                await feed(application, warm)
            tally.reset()
            log.count, log.first = 0, []
            db = application.bot_data["app"].db if full else None
            trips, commits = (db.stats.trips, db.stats.commits) if db else (0, 0)
            seconds, cpu_seconds = await feed(application, timed)
            if db is not None:
                trips, commits = db.stats.trips - trips, db.stats.commits - commits
            methods = Counter(tally.methods)
            if full:
                tally.flag(_watch_texts(application.bot_data["app"]))
            problems = _check_calls(variant, plan, methods, tally.flagged, log)
        finally:
            await application.stop()
        if full:
            problems += await _check_database(application.bot_data["app"], plan)
        if variant == PEER_PTB:
            problems += _check_states(await ptb_conversation.stored_states(application), plan)
    finally:
        if application.post_shutdown is not None:
            await application.post_shutdown(application)
        await application.shutdown()
    return Run(variant, seconds, cpu_seconds, len(plan.steps), methods, problems, trips, commits)


async def run_aiogram(plan: Plan, warmup: Plan, workdir: Path, log: ProblemLog) -> Run:
    """The aiogram peer: its own dispatcher, fed the same updates as aiogram models."""
    from benchmarks.peers.aiogram_fsm import AiogramPeer

    tally = CallTally()
    api = LocalBotApi(calls=tally)
    peer = await AiogramPeer.open(api, TOKEN, workdir / "peer.db")
    try:
        ptb = Bot(TOKEN, request=api)
        await ptb.initialize()  # getMe: the updates name the bot as their buttons' sender
        factory = UpdateFactory(ptb)  # the same updates as PTB's, turned into aiogram's
        warm = peer.updates(warmup.updates(factory))
        timed = peer.updates(plan.updates(factory))
        if warm:
            await peer.feed(warm)
        tally.reset()
        log.count, log.first = 0, []
        gc.collect()
        cpu = time.process_time()
        started = time.perf_counter()
        await peer.feed(timed)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        methods = Counter(tally.methods)
        problems = _check_calls(PEER_AIOGRAM, plan, methods, tally.flagged, log)
        problems += _check_states(await peer.stored_states(), plan)
    finally:
        await peer.close()
    return Run(PEER_AIOGRAM, seconds, cpu_seconds, len(plan.steps), methods, problems)


def _watch_texts(app: AppContext) -> dict[str, str]:
    """Texts that must never appear in a healthy run, in every language the bot speaks."""
    watch: dict[str, str] = {}
    for locale in app.texts.locales:
        _ = app.texts.get(locale)
        watch[_(SORRY)[:40]] = "error reply ('Sorry/Beklager – something went wrong')"
        watch[_(STALE_BUTTON)[:40]] = "stale-button notice (a press did not fit its chat's state)"
    return watch


def _check_calls(variant: str, plan: Plan, methods: Counter[str], flagged: Counter[str],
                 log: ProblemLog) -> list[str]:
    problems = [f"{count} × {meaning}" for meaning, count in flagged.items()]
    if log.count:
        problems.append(f"{log.count} warning/error log records, e.g. {log.first}")
    n = len(plan.steps)
    # every update ends in exactly one message sent or edited in place (none is split);
    # seeing all of them proves update_queue.join() waited for the processing to finish
    shown = methods["sendMessage"] + (methods["editMessageText"]
                                      if variant not in (ECHO_PTB, ECHO_OURS) else 0)
    if shown != n:
        problems.append(f"expected {n} messages shown, counted {shown}")
    if methods["answerCallbackQuery"] != plan.presses:
        problems.append(f"expected {plan.presses} presses answered, "
                        f"counted {methods['answerCallbackQuery']}")
    return problems


async def _check_database(app: AppContext, plan: Plan) -> list[str]:
    rows = await app.db.fetch_all(
        "SELECT c.telegram_user_id AS user_id, s.state AS state, c.first_name AS name "
        "FROM citizens c LEFT JOIN dialog_sessions s ON s.citizen_id = c.id "
        "WHERE c.telegram_user_id BETWEEN ? AND ?",
        (USER_BASE, USER_BASE + len(plan.final_state)),
    )
    return _check_states({int(r["user_id"]): r["state"] for r in rows}, plan)


def _check_states(stored: dict[int, str], plan: Plan) -> list[str]:
    """Every timed chat's state is where the plan left it (the warm-up's chats aside)."""
    last = USER_BASE + len(plan.final_state)
    states = {u: s for u, s in stored.items() if USER_BASE <= u <= last}
    problems = []
    if len(states) != len(plan.final_state):
        problems.append(f"expected {len(plan.final_state)} citizens, found {len(states)}")
    wrong = [u for u, state in plan.final_state.items() if states.get(u) != state]
    if wrong:
        u = wrong[0]
        problems.append(f"{len(wrong)} sessions in an unexpected state, e.g. user {u}: "
                        f"{states.get(u)!r} instead of {plan.final_state[u]!r}")
    return problems


# ---------------------------------------------------------------------------------------------
# Running and reporting.


@dataclass
class Results:
    runs: dict[str, list[Run]]
    latency: list[LatencyRun]
    rate: float
    citizens: int
    in_process: bool = False


def _order(repeat: int) -> tuple[str, ...]:
    """The variants of one repeat. The order rotates so slow drift of the machine hits every
    variant alike (the echoes move; the replay always follows a full-path run, which it
    replays)."""
    echoes = (ECHO_PTB, ECHO_OURS)[repeat % 2:] + (ECHO_PTB, ECHO_OURS)[:repeat % 2]
    peers = tuple(v for v in VARIANTS if v in PEERS)
    return ((*echoes, FULL, REPLAY, *peers) if repeat % 2 == 0
            else (*peers, FULL, REPLAY, *echoes))


def _groups(order: Sequence[str]) -> list[tuple[str, ...]]:
    """What runs in one process: each variant alone, but the replay with the full path."""
    groups: list[tuple[str, ...]] = []
    for variant in order:
        if variant == REPLAY and groups and groups[-1] == (FULL,):
            groups[-1] = (FULL, REPLAY)
        else:
            groups.append((variant,))
    return groups


def _plans(args: argparse.Namespace) -> tuple[Plan, Plan]:
    plan = Plan.build(args.updates, args.chats, USER_BASE)
    warm_chats = max(1, args.warmup // len(OPENING))
    warmup = Plan.build(args.warmup, warm_chats, WARMUP_USER_BASE) if args.warmup else Plan((), {})
    return plan, warmup


async def run_group(group: Sequence[str], plan: Plan, warmup: Plan, log: ProblemLog) -> list[Run]:
    recording: Recording = {}
    runs = []
    for variant in group:
        with tempfile.TemporaryDirectory(prefix="bench-updates-") as tmp:
            runs.append(await (run_aiogram(plan, warmup, Path(tmp), log)
                               if variant == PEER_AIOGRAM else
                               run_variant(variant, plan, warmup, Path(tmp), log, recording)))
    return runs


WORKER_LINE = "bench-run "


async def _run_in_worker(args: argparse.Namespace, group: Sequence[str]) -> list[Run]:
    """The group in a fresh interpreter: no variant runs on the heap, caches and collector
    history that the ones before it left (as pyperf runs each benchmark in its own worker)."""
    command = [sys.executable, "-m", "benchmarks.updates", "--updates", str(args.updates),
               "--chats", str(args.chats), "--warmup", str(args.warmup),
               "--worker", ",".join(str(VARIANTS.index(v)) for v in group)]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"the worker for {', '.join(group)} exited with "
                           f"{process.returncode} (its errors are above)")
    runs = []
    for line in out.decode().splitlines():
        if line.startswith(WORKER_LINE):
            fields = json.loads(line[len(WORKER_LINE):])
            runs.append(Run(**{**fields, "methods": Counter(fields["methods"])}))
    if [r.variant for r in runs] != list(group):
        raise RuntimeError(f"the worker for {', '.join(group)} reported "
                           f"{[r.variant for r in runs]}")
    return runs


async def work(args: argparse.Namespace) -> None:
    """`--worker`: run the given variants once and print each run as one JSON line."""
    plan, warmup = _plans(args)
    log = ProblemLog()
    logging.getLogger().addHandler(log)
    group = [VARIANTS[int(index)] for index in args.worker.split(",")]
    for run in await run_group(group, plan, warmup, log):
        print(WORKER_LINE + json.dumps({**vars(run), "methods": dict(run.methods)}), flush=True)


async def measure(args: argparse.Namespace, emit: Callable[[str], None]) -> Results:
    plans = _plans(args) if args.in_process else None  # else each worker builds its own
    log = ProblemLog()
    logging.getLogger().addHandler(log)
    runs: dict[str, list[Run]] = {v: [] for v in VARIANTS}
    latency: list[LatencyRun] = []
    try:
        for repeat in range(args.repeat):
            for group in _groups(_order(repeat)):
                done = (await run_group(group, *plans, log) if plans is not None
                        else await _run_in_worker(args, group))
                for run in done:
                    runs[run.variant].append(run)
                    emit(f"  run {repeat + 1}/{args.repeat}  {run.variant:<20} "
                         f"{run.rate:>6.0f} u/s  {run.cpu_us:>5.0f} CPU µs/update  "
                         f"({run.seconds:.2f} s)" + ("  PROBLEMS" if run.problems else ""))
        if args.latency_seconds > 0:
            latency = await _measure_latency(args, log, emit)
    finally:
        logging.getLogger().removeHandler(log)
    return Results(runs, latency, args.rate, args.citizens, args.in_process)


async def _measure_latency(args: argparse.Namespace, log: ProblemLog,
                           emit: Callable[[str], None]) -> list[LatencyRun]:
    total = max(1, int(args.rate * args.latency_seconds))
    chats = min(args.latency_chats, args.citizens, total)
    plan = Plan.build(total, chats, chatting_users(chats, args.citizens), first=len(OPENING))
    steps = [(user, kind, payload) for user, (kind, payload, _after) in plan.steps]
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        template = Path(tmp) / "template.db"
        started = time.perf_counter()
        await asyncio.to_thread(populate, template, args.citizens)
        emit(f"  {args.citizens:,} citizens written in {time.perf_counter() - started:.1f} s")
        for repeat in range(args.repeat):
            run = await run_latency(template, Path(tmp), steps, args.rate, TOKEN,
                                    CURRENT_UPDATE, lambda: log.count)
            runs.append(run)
            emit(f"  run {repeat + 1}/{args.repeat}  latency at {args.rate:.0f} u/s    "
                 f"p50 {run.p50:.1f} ms  p99 {run.p99:.1f} ms"
                 + ("  PROBLEMS" if run.problems else ""))
    return runs


def report(results: Results) -> str:
    runs = results.runs
    mode = ("all variants in one process, one after another" if results.in_process
            else "each variant in a fresh process (the replay with its full path)")
    lines = ["", f"runs: {mode}", "",
             f"{'variant':<20} {'best u/s':>9} {'median u/s':>11} {'CPU µs/update':>14}"
             "   u/s per run"]
    for variant in VARIANTS:
        rates = [r.rate for r in runs[variant]]
        cpu = statistics.median(r.cpu_us for r in runs[variant])
        lines.append(f"{variant:<20} {max(rates):>9.0f} {statistics.median(rates):>11.0f} "
                     f"{cpu:>14.0f}   " + " ".join(f"{r:.0f}" for r in rates))
    full = runs[FULL]
    calls = {m: c / full[0].updates for m, c in sorted(full[0].methods.items())}
    trips = statistics.median(r.trips / r.updates for r in full)
    commits = statistics.median(r.commits / r.updates for r in full)
    lines += ["", "full path Bot API calls per update: "
              + ", ".join(f"{m} {v:.2f}" for m, v in calls.items()),
              f"full path SQL trips per update: {trips:.2f} (goal <= {TRIPS_GOAL}), "
              f"commits per update: {commits:.2f} (goal <= {COMMITS_GOAL})", ""]
    headline = 0.0
    for echo in (ECHO_PTB, ECHO_OURS):
        ratios = [f.rate / e.rate for f, e in zip(full, runs[echo], strict=True)]
        best = max(r.rate for r in full) / max(r.rate for r in runs[echo])
        cpu = statistics.median(e.cpu_us / f.cpu_us for f, e in zip(full, runs[echo], strict=True))
        median = statistics.median(ratios)
        if echo == ECHO_PTB:
            headline = median
        lines.append(f"{'full/' + echo:<25}: {median:.2f} (median of per-repeat ratios: "
                     + " ".join(f"{r:.2f}" for r in ratios)
                     + f"; best/best {best:.2f}; by CPU time {cpu:.2f})")
    replay = runs[REPLAY]
    ceiling = statistics.median(r.rate / e.rate for r, e in zip(replay, runs[ECHO_PTB],
                                                                 strict=True))
    ours = statistics.median(f.rate / r.rate for f, r in zip(full, replay, strict=True))
    lines.append(f"{'replay/' + ECHO_PTB:<25}: {ceiling:.2f} (the ceiling: same Bot API calls, "
                 "no logic)")
    lines.append(f"{'full/replay':<25}: {ours:.2f} (what our own code – database, dialog "
                 "engine, rendering – leaves of the ceiling)")
    peer_ratios = {}
    for peer, name in PEERS.items():
        if runs.get(peer):
            peer_ratios[peer] = statistics.median(
                p.rate / e.rate for p, e in zip(runs[peer], runs[ECHO_PTB], strict=True))
            cpu = statistics.median(e.cpu_us / p.cpu_us
                                    for p, e in zip(runs[peer], runs[ECHO_PTB], strict=True))
            lines.append(f"{'peer/' + ECHO_PTB:<25}: {peer_ratios[peer]:.2f} (by CPU time "
                         f"{cpu:.2f}) {name}")
    if not peer_ratios:
        lines.append("peers not run: pip install -e \".[bench]\" (aiogram)")
    if results.latency:
        lines += ["", *latency_summary(results.latency, results.rate, results.citizens)]
    problems = [f"{r.variant}: {p}" for rs in runs.values() for r in rs for p in r.problems]
    problems += [f"latency: {p}" for r in results.latency for p in r.problems]
    lines.append("")
    if problems:
        lines.append("PROBLEMS (the numbers above are not trustworthy):")
        lines += [f"  - {p}" for p in dict.fromkeys(problems)]
    else:
        lines.append("checks passed: every update handled and shown, no error replies or "
                     "logs, no stale buttons, every session in its expected state")
    best_peer = max(peer_ratios.values(), default=0.0)
    goals = [("full/echo", headline >= GOAL and headline > best_peer,
              f"{headline:.2f} (goal >= {GOAL} and above every durable peer: "
              f"best {best_peer:.2f})"),
             ("SQL trips/update", trips <= TRIPS_GOAL, f"{trips:.2f} (goal <= {TRIPS_GOAL})"),
             ("commits/update", commits <= COMMITS_GOAL,
              f"{commits:.2f} (goal <= {COMMITS_GOAL})")]
    if results.latency:
        p99 = statistics.median(r.p99 for r in results.latency)
        goals.append(("p99 latency", p99 <= P99_GOAL_MS, f"{p99:.1f} ms (goal <= "
                                                         f"{P99_GOAL_MS:.0f} ms)"))
    for name, met, figure in goals:
        verdict = "met" if met and not problems else "NOT MET"
        lines.append(f"goal {name:<17}: {figure} -> {verdict}")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.updates",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=5000, help="timed updates per run")
    parser.add_argument("--chats", type=int, default=500, help="simulated citizens")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant")
    parser.add_argument("--warmup", type=int, default=300,
                        help="untimed updates first, on separate chats (0 to skip)")
    parser.add_argument("--rate", type=float, default=300.0,
                        help="latency phase: updates offered per second")
    parser.add_argument("--latency-seconds", type=float, default=10.0,
                        help="latency phase: how long each run offers updates (0 to skip)")
    parser.add_argument("--latency-chats", type=int, default=300,
                        help="latency phase: citizens chatting")
    parser.add_argument("--citizens", type=int, default=CITIZENS,
                        help="latency phase: citizens in the database")
    parser.add_argument("--in-process", action="store_true",
                        help="run every variant in this one process, one after another, "
                             "instead of each in a fresh one")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # see _run_in_worker
    args = parser.parse_args(argv)
    for name in ("updates", "chats", "repeat", "latency_chats", "citizens"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.worker:
        print(f"{args.updates} updates over {min(args.chats, args.updates)} chats, "
              f"{args.warmup} warm-up updates, {args.repeat} repeats, "
              + ("all in this process" if args.in_process else "each in a fresh process")
              + f"; Python {sys.version.split()[0]}", flush=True)
    try:
        if args.worker:
            asyncio.run(work(args))
            return 0
        results = asyncio.run(measure(args, lambda line: print(line, flush=True)))
    except Exception:
        traceback.print_exc()
        print("the benchmark could not run: the bot failed to start or crashed (see above)",
              file=sys.stderr, flush=True)
        sys.stdout.flush()
        # a database opened by a failed post_init keeps aiosqlite's (non-daemon) worker
        # thread alive, which would hang the interpreter at exit
        os._exit(2)
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
