"""Voluntary outreach from a Danish job centre to newly unemployed citizens, on Telegram."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""dialogs/ and locales/ live beside the package, so the repo checkout is the deployable unit."""
