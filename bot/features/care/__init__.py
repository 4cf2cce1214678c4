"""Worrying answers: an immediate caring reply with help numbers, and a case for a human."""

from __future__ import annotations

from bot.feature import Command, Feature, handlers_in
from bot.features.care.helplines import Helplines, load_helplines
from bot.features.care.service import CareService
from bot.features.care.storage import DecisionStore
from bot.features.cases.alerts import CaseAlerts
from bot.features.risk import RiskAssessor
from bot.i18n import N_

__all__ = ["FEATURE", "CareService", "Helplines"]


FEATURE = Feature(
    name="care",
    services={
        Helplines: lambda app: load_helplines(app.settings.help_numbers_file),
        CareService: lambda app: CareService(app.get(CaseAlerts), app.texts,
                                             app.get(RiskAssessor), DecisionStore(app.db),
                                             app.clock),
    },
    handlers=handlers_in("bot.features.care.handlers"),
    commands=(Command("human", N_("Talk to a person from the job centre"),
                      N_("talk to a person from the job centre"), position=40),),
    sweeps={"risk decision retention": lambda app: app.get(CareService).forget_old_words},
)
