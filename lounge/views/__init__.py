"""The lounge's staff pages, one module per concept: visits (the board, visits, drinks, settings), requests (and seats), faults (and facilities)."""
