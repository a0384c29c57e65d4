"""Writes of the telephone module (S2), one module per concept: calls, messages, scripts, settings."""
