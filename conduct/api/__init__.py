"""The conduct API, one router per concept: attendance (and discipline records); aftersales/api.py adds them."""
