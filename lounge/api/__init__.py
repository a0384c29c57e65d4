"""The lounge's API, one router per concept: visits, requests (and seats), faults (and facilities); aftersales/api.py adds them."""
