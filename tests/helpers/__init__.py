"""Harnesses more than one test package shares: the controlled clock (`clock.py`), thread
races (`threads.py`), the Celery worker stack (`worker.py`), customers with rows in every
module (`histories.py`), pg_dump (`pg_dump.py`) and Redis (`redis.py`)."""
