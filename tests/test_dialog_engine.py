"""Dialogs are data, validated at start: broken ones never reach a citizen."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.engine import DialogError, Facts, load_dialog, parse_duration, validate
from bot.engine.machine import DialogMachine
from bot.features.onboarding.service import OnboardingService

TINY = """
name = "tiny"
initial = "ask"
[states.ask]
prompt = "Question?"
buttons = [[{ id = "yes", label = "Yes", trigger = "answer" }]]
[states.done]
prompt = "Thanks"
[[transitions]]
trigger = "answer"
source = "ask"
dest = "done"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check(tmp_path: Path, text: str, translated: bool = True) -> None:
    validate(load_dialog(write(tmp_path, text)), conditions={"editing"}, actions={"save"},
             params=set(), is_translated=lambda _m: translated)


def test_valid_dialog_passes(tmp_path: Path) -> None:
    check(tmp_path, TINY)


@pytest.mark.parametrize(("change", "message"), [
    (('dest = "done"', 'dest = "nowhere"'), "unknown state 'nowhere'"),
    (("[states.done]", "[states.orphan]\nprompt = 'x'\n[states.done]"), "'orphan' is unreachable"),
    (('trigger = "answer"\nsource', 'trigger = "other"\nsource'), "has no transition from here"),
    (('dest = "done"', 'dest = "done"\nconditions = ["sunny"]'), "unknown condition 'sunny'"),
    (('dest = "done"', 'dest = "done"\nactions = ["launch"]'), "unknown action 'launch'"),
    (('prompt = "Thanks"', 'prompt = "Thanks"\ntimeout = "2d"'), "timeout and on_timeout"),
])
def test_inconsistent_dialog_is_refused(tmp_path: Path, change: tuple[str, str],
                                        message: str) -> None:
    with pytest.raises(DialogError, match=message):
        check(tmp_path, TINY.replace(*change, 1))


def test_untranslated_prompt_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DialogError, match="no Danish/English translation for 'Question\\?'"):
        check(tmp_path, TINY, translated=False)


SHARED = """
name = "shared"
initial = "ask"
[defaults]
timeout = "3d"
on_timeout = "expire"
[button_sets.yes_no]
buttons = [[{ id = "yes", label = "Yes", trigger = "answer", value = "1" }],
           [{ id = "no", label = "No", trigger = "answer", value = "0" }]]
[states.ask]
prompt = "Question?"
button_set = "yes_no"
[states.again]
prompt = "Again?"
button_set = "yes_no"
timeout = "7d"
on_timeout = "expire"
[states.done]
prompt = "Thanks"
[[transitions]]
trigger = "answer"
source = "ask"
dest = "again"
[[transitions]]
trigger = "answer"
source = "again"
dest = "done"
[[transitions]]
trigger = "expire"
source = ["ask", "again"]
dest = "done"
"""


def test_button_sets_and_default_timeout_resolve_at_load(tmp_path: Path) -> None:
    spec = load_dialog(write(tmp_path, SHARED))
    check(tmp_path, SHARED)
    ask, again, done = spec.states["ask"], spec.states["again"], spec.states["done"]
    assert ask.buttons == again.buttons
    assert [(b.id, b.label, b.trigger, b.payload) for b in ask.all_buttons()] == [
        ("yes", "Yes", "answer", "1"), ("no", "No", "answer", "0")]
    assert (ask.timeout, ask.on_timeout) == (timedelta(days=3), "expire")
    assert (done.timeout, done.on_timeout) == (None, None), "no expire transition from done"


def test_a_state_s_own_timeout_overrides_the_default(tmp_path: Path) -> None:
    spec = load_dialog(write(tmp_path, SHARED))
    assert (spec.states["again"].timeout, spec.states["again"].on_timeout) == (
        timedelta(days=7), "expire")


@pytest.mark.parametrize(("change", "message"), [
    (('button_set = "yes_no"', 'button_set = "maybe"'),
     "dialog 'shared': state 'ask': unknown button set 'maybe'"),
    (('button_set = "yes_no"', 'button_set = "yes_no"\nbuttons = []'),
     "state 'ask': set buttons or button_set, not both"),
    (('on_timeout = "expire"\n[button_sets', "[button_sets"),
     r"\[defaults\] timeout and on_timeout go together"),
    (('timeout = "3d"', 'timeout = "3d"\nmax_length = 10'),
     r"\[defaults\] may set only timeout and on_timeout, not max_length"),
])
def test_bad_shared_declarations_are_refused_at_load(tmp_path: Path, change: tuple[str, str],
                                                     message: str) -> None:
    with pytest.raises(DialogError, match=message):
        load_dialog(write(tmp_path, SHARED.replace(*change, 1)))


def test_durations_have_one_unit() -> None:
    assert parse_duration("90s").total_seconds() == 90
    assert parse_duration("14d").days == 14
    with pytest.raises(DialogError):
        parse_duration("2 weeks")


def test_first_transition_whose_conditions_pass_wins() -> None:
    spec = load_dialog(PROJECT_ROOT / "dialogs" / "onboarding.toml")
    machine = DialogMachine(spec, {"editing": lambda f: bool(f.data.get("editing"))})
    editing = machine.fire("ask_name", "answer", Facts({"editing": True}, "Anna"))
    onboarding = machine.fire("ask_name", "answer", Facts({}, "Anna"))
    assert editing is not None and editing.dest == "menu"
    assert onboarding is not None and onboarding.dest == "ask_month"
    assert machine.fire("ask_name", "confirm", Facts()) is None, "not a trigger of this state"


def test_answers_kept_for_unconditional_transitions_are_the_machines_own() -> None:
    """Every (state, trigger) of the onboarding dialog, fired in turn with and without the
    condition's fact, gives on a machine that has answered everything before what a new
    machine gives for that one fire; the conditional ones still follow the facts."""
    spec = load_dialog(PROJECT_ROOT / "dialogs" / "onboarding.toml")
    conditions = {"editing": lambda f: bool(f.data.get("editing"))}
    seasoned = DialogMachine(spec, conditions)
    triggers = sorted({t.trigger for t in spec.transitions})
    followed = 0
    for _round in range(2):
        for state in spec.states:
            for trigger in triggers:
                answers = []
                for facts in (Facts({"editing": True}), Facts({}), Facts({"editing": True})):
                    fresh = DialogMachine(spec, conditions).fire(state, trigger, facts)
                    assert seasoned.fire(state, trigger, facts) == fresh, (state, trigger)
                    answers.append(fresh)
                followed += answers[0] != answers[1]
    assert followed >= 2 * 7, "the 'editing' transitions chose by the facts each time"


async def test_shipped_dialogs_validate_against_the_real_catalogues(tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.context import open_app_context
    from bot.features.enabled import FEATURES
    from tests.fakes import FakeClock

    ctx = await open_app_context(Settings(database_path=tmp_path / "x.db"), FakeClock(), FEATURES)
    try:
        assert ctx.get(OnboardingService).runner.spec.initial == "welcome"
    finally:
        await ctx.db.close()
