"""The lounge's forms, one module per concept: visits, requests (and seats), faults (and facilities)."""
