"""Harnesses more than one test package shares: the controlled clock (`clock.py`) and thread
races (`threads.py`)."""
