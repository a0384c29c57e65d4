"""The lounge's reads, one module per concept: visits (the board), requests (and seats), faults (and facilities)."""
