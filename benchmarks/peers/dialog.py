"""The onboarding dialog the peers run: the same states, buttons and replies as ours
(dialogs/onboarding.toml, in English), as plain Python both peers share, so what differs
between them is the framework and the storage.

`step(state, data, kind, payload)` takes what came in (a message text or a button's data) and
returns where the citizen is now and what to show, with the way to show it: a new message (the
old keyboard removed when a button moved on) or the message edited in place (a toggle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PURPOSES = ("checkins", "job_club", "feedback", "webinars", "wellbeing")
PURPOSE_LABELS = {
    "checkins": "Short check-ins on how it is going",
    "job_club": "Job club with others in your situation",
    "feedback": "Feedback on applications and CV",
    "webinars": "News about webinars",
    "wellbeing": "A wellbeing check every 4 weeks (five questions about how you feel; a "
                 "consultant sees the result)",
}
TEXTS = {
    "welcome": "Hello, this is Jobcentret.\nWe would like to keep in touch with you while you "
               "look for work – here in the chat, when it suits you.\n• Contact is voluntary. "
               "Saying no has no effect on your unemployment benefit (dagpenge or "
               "kontanthjælp), and nothing is added to your case file.\n• You can change your "
               "mind at any time.\nWould you like to choose what we may contact you about?",
    "consent": "What may we contact you about? Tap to switch each one on or off, then press "
               "Save.\nYou can change this at any time in /menu.",
    "ask_name": "What would you like us to call you? Write your first name – or skip.",
    "ask_month": "Roughly when did you become unemployed?",
    "ask_time": "When in the day do you prefer to hear from us?",
    "ask_language": "Which language would you like us to write in?",
    "done": "Thank you! Here is what you have chosen:\nName: {name}\nUnemployed since: "
            "{month}\nPreferred time of day: {time}\nLanguage: {language}\nWe may contact you "
            "about:\n{consents}\nYou can change any of it with /menu, see what we store with "
            "/mydata, and stop all contact with /stop.",
    "menu": "Here is what you have chosen:\nName: {name}\nUnemployed since: {month}\n"
            "Preferred time of day: {time}\nLanguage: {language}\nWe may contact you about:\n"
            "{consents}\nWhat would you like to change?",
}
BUTTONS: dict[str, list[list[tuple[str, str]]]] = {
    "welcome": [[("Yes, let me choose", "go")], [("No thanks", "no")]],
    "ask_name": [[("Skip", "skip")]],
    "ask_month": [[("November 2026", "m0")], [("October 2026", "m1")],
                  [("September 2026", "m2")], [("August 2026", "m3")],
                  [("Earlier", "earlier")], [("Skip", "skip")]],
    "ask_time": [[("Morning (8–11)", "morning")], [("Midday (11–14)", "midday")],
                 [("Afternoon (14–17)", "afternoon")], [("No preference", "none")],
                 [("Skip", "skip")]],
    "ask_language": [[("Dansk", "da")], [("English", "en")], [("Skip", "skip")]],
    "done": [[("Open the menu", "menu")]],
    "menu": [[("What you may contact me about", "consents")], [("My name", "name")],
             [("When I became unemployed", "month")], [("Time of day", "time")],
             [("Language", "language")], [("Talk to a person", "human")],
             [("What do you store about me?", "mydata")], [("Stop all contact", "stop")],
             [("Delete my data", "delete")]],
}
NEXT = {"ask_name": "ask_month", "ask_month": "ask_time", "ask_time": "ask_language",
        "ask_language": "done"}
EDIT_FROM_MENU = {"name": "ask_name", "consents": "consent", "month": "ask_month",
                  "time": "ask_time", "language": "ask_language"}
WELCOME_BACK = "Welcome back! Here is where we left off."
NEW, EDIT = "new", "edit"


@dataclass(frozen=True, slots=True)
class Reply:
    state: str
    text: str
    buttons: list[list[tuple[str, str]]]
    how: str = NEW


def screen(state: str, data: dict[str, Any]) -> tuple[str, list[list[tuple[str, str]]]]:
    """The text and buttons (label, callback data) of a step."""
    if state == "consent":
        chosen = data.get("consents", [])
        rows = [[(("✅ " if p in chosen else "⬜ ") + PURPOSE_LABELS[p], p)] for p in PURPOSES]
        rows += [[("Save my choices", "save")], [("No to all", "none")]]
        text = TEXTS["consent"]
    else:
        rows = BUTTONS.get(state, [])
        text = TEXTS[state]
        if state in ("done", "menu"):
            text = text.format(
                name=data.get("name") or "not given", month=data.get("month") or "not given",
                time=data.get("time") or "no preference", language=data.get("language", "da"),
                consents="\n".join(f"• {PURPOSE_LABELS[p]}" for p in data.get("consents", []))
                or "nothing – we only answer when you write")
    return text, [[(label, f"onboarding|{state}|{value}") for label, value in row]
                  for row in rows]


def step(state: str | None, data: dict[str, Any], kind: str, payload: str) -> Reply:
    """What one update does; `data` is changed in place."""
    if kind == "msg" and payload.startswith("/start"):
        if state in (None, "welcome"):
            return _show("welcome", data)
        text, buttons = screen(state, data)
        return Reply(state, f"{WELCOME_BACK}\n\n{text}", buttons)
    if kind == "msg" and payload == "/menu":
        return _show("menu" if "saved" in data else "welcome", data)
    current = state or "welcome"
    if kind == "msg":
        if current != "ask_name":
            text, buttons = screen(current, data)
            return Reply(current, f"Please choose one of the buttons below.\n\n{text}", buttons)
        data["name"] = payload.strip()
        return _show(_after(current, data), data)
    value = payload.rsplit("|", 1)[-1]
    if current == "welcome":
        return _show("consent" if value == "go" else "welcome", data)
    if current == "consent":
        if value in PURPOSES:
            chosen = data.setdefault("consents", [])
            chosen.remove(value) if value in chosen else chosen.append(value)
            text, buttons = screen(current, data)
            return Reply(current, text, buttons, EDIT)
        data["saved"] = True
        return _show("menu" if data.pop("editing", False) else "ask_name", data)
    if current == "menu":
        data["editing"] = True
        return _show(EDIT_FROM_MENU.get(value, "menu"), data)
    if current == "done":
        return _show("menu", data)
    data[current.removeprefix("ask_")] = value
    return _show(_after(current, data), data)


def _after(state: str, data: dict[str, Any]) -> str:
    return "menu" if data.pop("editing", False) else NEXT[state]


def _show(state: str, data: dict[str, Any]) -> Reply:
    text, buttons = screen(state, data)
    return Reply(state, text, buttons)
