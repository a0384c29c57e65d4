"""Writes of the customers app, one module per concept: customers (customers, vehicles, the personal-data
log) and imports (an import job, step by step)."""
