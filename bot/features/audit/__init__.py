"""The append-only audit log: staff reads of citizen data, exports and deletions."""

from __future__ import annotations

from bot.feature import Feature
from bot.features.audit.service import ERASED, AuditEntry, AuditLog
from bot.features.audit.storage import AuditStore

__all__ = ["ERASED", "FEATURE", "AuditEntry", "AuditLog"]

FEATURE = Feature(
    name="audit",
    services={AuditLog: lambda app: AuditLog(AuditStore(app.db), app.clock)},
)
