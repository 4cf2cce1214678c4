"""Worrying answers: an immediate caring reply with help numbers, and a case for a human."""
