"""Saves at once, for the tests of what the services' locks guarantee (PostgreSQL only:
SQLite runs one writer at a time)."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def run_at_once(*calls, refused=(ValidationError,)):
    """Run each call in its own thread and database connection, released together, and
    return what each returned, or the error it was refused with (`refused`)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except refused as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
