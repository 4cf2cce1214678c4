"""Worrying answers: an immediate caring reply with help numbers, and a case for a human."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.feature import Command, Feature
from bot.features.care.helplines import Helplines, load_helplines
from bot.features.care.service import CareService
from bot.features.care.storage import DecisionStore
from bot.features.cases.alerts import CaseAlerts
from bot.features.risk import RiskAssessor
from bot.i18n import N_

__all__ = ["FEATURE", "CareService", "Helplines"]


def _handlers(application: Any, settings: Settings) -> None:
    from bot.features.care.handlers import register

    register(application, settings)


FEATURE = Feature(
    name="care",
    services={
        Helplines: lambda app: load_helplines(app.settings.help_numbers_file),
        CareService: lambda app: CareService(app.get(CaseAlerts), app.texts,
                                             app.get(RiskAssessor), DecisionStore(app.db),
                                             app.clock),
    },
    handlers=_handlers,
    commands=(Command("human", N_("Talk to a person from the job centre"),
                      N_("talk to a person from the job centre"), position=40),),
    sweeps={"risk decision retention": lambda app: app.get(CareService).forget_old_words},
)
