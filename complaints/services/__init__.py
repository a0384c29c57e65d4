"""Writes of the complaints app (S2.4, S2.6), one module per concept: complaints (logging one, its contact
phone) and stages (acknowledge, verify, reply, follow up, close, reopen)."""
