"""First contact: welcome, consent per purpose, a short skippable profile, and /menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.feature import Command, Feature, handlers_in, load_named_dialog
from bot.features.care.service import CareService
from bot.features.cases.service import CaseService
from bot.features.citizens import CitizenStore
from bot.features.dialogs import FrontDoor
from bot.features.invites import InviteService
from bot.features.onboarding.service import OnboardingService
from bot.features.privacy import PrivacyService
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.context import AppContext

__all__ = ["FEATURE", "OnboardingService"]


def _onboarding(app: AppContext) -> OnboardingService:
    return OnboardingService(
        load_named_dialog("onboarding"), app.sessions, app.get(FrontDoor), app.get(CitizenStore),
        app.get(InviteService), app.get(PrivacyService), app.get(CareService),
        app.get(CaseService), app.texts, app.clock, app.settings.jobcentre_name, app.emit)


FEATURE = Feature(
    name="onboarding",
    services={OnboardingService: _onboarding},
    handlers=handlers_in("bot.features.onboarding.handlers"),
    commands=(
        Command("start", N_("Start or see the welcome again"), None, position=10),
        Command("menu", N_("See and change your choices"), N_("see and change your choices"),
                position=20),
        Command("language", N_("Dansk or English"), N_("dansk or English"), position=50),
        Command("mydata", N_("What we store about you"), N_("see everything we store about you"),
                position=60),
        Command("stop", N_("Withdraw all consents, stop messages"),
                N_("withdraw all consents; we stop writing to you"), position=70),
        Command("delete", N_("Erase everything about you"), N_("erase everything about you"),
                position=80),
    ),
    dialogs=lambda app: (app.get(OnboardingService).runner,),
    sweeps={"onboarding timeouts": lambda app: app.get(OnboardingService).runner.expire_due},
)
