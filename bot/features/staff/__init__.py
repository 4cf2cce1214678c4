"""Staff and their roles: admin, coordinator, consultant; checked server-side on every action."""

from bot.features.staff.service import Role, StaffService

__all__ = ["Role", "StaffService"]
