"""The stage index (bot/handler_index.py) picks, for every update, the handler PTB's own scan
of the stage would have picked: checked on the real application's handlers, with a staff
chat, for presses drawn from every button pattern, forged presses, commands in every spelling,
plain texts, files and staff messages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.app import build_application
from bot.config import Settings
from bot.handler_index import StageIndex
from bot.transport.local_api import LocalBotApi
from bot.transport.local_updates import UpdateFactory

STAFF_CHAT = -100777
CITIZEN, STAFF = 7001, 21


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    import asyncio

    settings = Settings(token="123:abc", staff_chat_id=STAFF_CHAT, risk_model=False,
                        database_path=tmp_path_factory.mktemp("index") / "bot.db")
    application = build_application(settings, request=LocalBotApi(), background=False)
    asyncio.run(application.bot.initialize())
    return application


@pytest.fixture(scope="module")
def factory(app: Any) -> UpdateFactory:
    return UpdateFactory(app.bot)


def indexes(app: Any) -> list[StageIndex]:
    found = [h for handlers in app.handlers.values() for h in handlers
             if isinstance(h, StageIndex)]
    assert found, "the dialog stage must be indexed"
    return found


def patterns(app: Any) -> list[str]:
    return sorted({h.pattern.pattern for index in indexes(app) for h in index.handlers
                   if isinstance(h, CallbackQueryHandler) and isinstance(h.pattern, re.Pattern)})


def commands(app: Any) -> list[str]:
    return sorted({name for index in indexes(app) for h in index.handlers
                   if isinstance(h, CommandHandler) for name in h.commands})


def linear_pick(handlers: tuple[BaseHandler[Any, Any, Any], ...], update: Update) -> object:
    """PTB's own rule: the first handler of the stage whose check is neither None nor False."""
    for handler in handlers:
        check = handler.check_update(update)
        if check is not None and check is not False:
            return handler
    return None


def assert_same_pick(app: Any, update: Update) -> None:
    for index in indexes(app):
        picked = index.check_update(update)
        assert (picked[0] if picked else None) is linear_pick(index.handlers, update)


def test_the_dialog_stage_of_the_real_application_is_indexed(app: Any) -> None:
    [dialog] = [h for h in app.handlers[0] if isinstance(h, StageIndex)]
    assert len(app.handlers[0]) == 1
    assert sum(isinstance(h, CallbackQueryHandler) for h in dialog.handlers) >= 10
    assert sum(isinstance(h, CommandHandler) for h in dialog.handlers) >= 8


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(draw=st.data())
def test_a_press_matching_any_button_pattern_picks_what_ptb_would(
        app: Any, factory: UpdateFactory, draw: st.DataObject) -> None:
    pattern = draw.draw(st.sampled_from(patterns(app)))
    data = draw.draw(st.from_regex(pattern, fullmatch=True))
    for update in (factory.press(CITIZEN, data),
                   factory.staff_press(STAFF_CHAT, STAFF, data, message_id=5)):
        assert_same_pick(app, update)


def test_every_command_in_every_spelling_picks_what_ptb_would(
        app: Any, factory: UpdateFactory) -> None:
    for name in commands(app):
        for text in (f"/{name}", f"/{name.upper()} and more", f"/{name}@{app.bot.username}",
                     f"/{name}@someone_else_bot"):
            assert_same_pick(app, factory.message(CITIZEN, text))
            assert_same_pick(app, factory.staff_message(STAFF_CHAT, STAFF, text, thread=9))


def test_known_presses_and_commands_reach_their_own_handlers(
        app: Any, factory: UpdateFactory) -> None:
    """Not only the same as PTB: the pick is the feature's handler, not a catch-all."""
    [dialog] = [h for h in app.handlers[0] if isinstance(h, StageIndex)]
    picked = dialog.check_update(factory.press(CITIZEN, "webinar|rsvp|12|yes"))
    assert picked is not None and picked[0].callback.__name__ == "rsvp"
    picked = dialog.check_update(factory.message(CITIZEN, "/clubs"))
    assert picked is not None and picked[0].callback.__name__ == "my_clubs"
    picked = dialog.check_update(factory.press(CITIZEN, "onboarding|menu|name"))
    assert picked is not None and picked[0].callback.__name__ == "press"


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.text(max_size=40),
    st.builds(lambda prefix, rest: prefix + rest,
              st.sampled_from(["care|", "club|", "onboarding|menu|", "webinar|rsvp|", "case|",
                               "broadcast|", "draft|", "staffdialog|", "clubatt|", "|", ""]),
              st.text(alphabet="abcdefghijklmnopqrstuvwxyz_|0123456789", max_size=20))),
    where=st.sampled_from(["citizen", "staff"]))
def test_any_press_picks_what_ptb_would(app: Any, factory: UpdateFactory, data: str,
                                        where: str) -> None:
    update = (factory.press(CITIZEN, data) if where == "citizen"
              else factory.staff_press(STAFF_CHAT, STAFF, data, message_id=5, thread=9))
    assert_same_pick(app, update)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=30), st.text(max_size=12).map(lambda t: "/" + t)),
       where=st.sampled_from(["citizen", "staff", "photo"]))
def test_any_message_picks_what_ptb_would(app: Any, factory: UpdateFactory, text: str,
                                          where: str) -> None:
    if where == "photo":
        update = factory.photo(CITIZEN)
    elif where == "staff":
        update = factory.staff_message(STAFF_CHAT, STAFF, text, thread=9)
    else:
        update = factory.message(CITIZEN, text)
    assert_same_pick(app, update)


def test_membership_updates_and_presses_without_data_pick_what_ptb_would(
        app: Any, factory: UpdateFactory) -> None:
    assert_same_pick(app, factory.membership(CITIZEN, "kicked"))
    no_data = factory.press(CITIZEN, "x")
    no_data.callback_query._unfreeze()
    no_data.callback_query.data = None
    assert_same_pick(app, no_data)


def test_a_stage_with_a_non_blocking_handler_is_left_as_ptb_runs_it(tmp_path: Path) -> None:
    from telegram.ext import MessageHandler, filters

    from bot.handler_index import index_stages

    application = build_application(
        Settings(token="123:abc", database_path=tmp_path / "bot.db", risk_model=False),
        request=LocalBotApi(), background=False)

    async def noop(update: object, context: object) -> None:
        return None

    application.add_handler(MessageHandler(filters.TEXT, noop), group=5)
    application.add_handler(MessageHandler(filters.ALL, noop, block=False), group=5)
    index_stages(application)
    assert not any(isinstance(h, StageIndex) for h in application.handlers[5])


@pytest.mark.parametrize("data", ["a|x", "b|y", "B|Y", "c|z", "c|", "d|1", "a", "b|yy", "e|[x]"])
def test_patterns_that_name_no_single_prefix_are_asked_for_every_press(
        factory: UpdateFactory, data: str) -> None:
    """Alternation outside a group, ignore-case and classes: the index must not skip them."""
    async def noop(update: object, context: object) -> None:
        return None

    handlers = (CallbackQueryHandler(noop, pattern=r"^a\|x|^b\|y$"),
                CallbackQueryHandler(noop, pattern=re.compile(r"^b\|y$", re.IGNORECASE)),
                CallbackQueryHandler(noop, pattern=r"^c\|(z|)$"),
                CallbackQueryHandler(noop, pattern=r"^e\|[|x\]]+$"),
                CallbackQueryHandler(noop, pattern=r"^d\|\d$"),
                CallbackQueryHandler(noop))
    index = StageIndex(handlers)
    update = factory.press(CITIZEN, data)
    picked = index.check_update(update)
    assert (picked[0] if picked else None) is linear_pick(handlers, update)
