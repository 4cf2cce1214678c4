"""The consultant workspace: a staff-chat topic per citizen, take-over, two-way relay."""
