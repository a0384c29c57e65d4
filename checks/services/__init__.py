"""The checklist engine's writes (S4.6–S4.10), one module per concept: templates (templates, items,
areas), rounds (the schedule, doing and submitting a round), actions (corrective actions)."""
