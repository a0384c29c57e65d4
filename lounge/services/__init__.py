"""Writes of the lounge, one module per area: visits (and drinks, settings), requests (and seats), faults."""
