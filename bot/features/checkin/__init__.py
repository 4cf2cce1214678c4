"""Scheduled check-ins: a gentle conversation on a cadence, with WHO-5 every fourth week."""
