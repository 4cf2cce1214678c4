"""The append-only audit log: staff reads of citizen data, exports and deletions."""

from bot.features.audit.service import AuditEntry, AuditLog

__all__ = ["AuditEntry", "AuditLog"]
