"""The checklist engine's writes (S4.6–S4.10), one module per concept: templates (templates, items,
areas), rounds (the schedule, doing and submitting a round), actions (corrective actions), people (checks of
people: grooming S6.1–S6.4 and desk checks S1.D3), defaults (the standard templates of those checks),
settings (a store's check settings)."""
