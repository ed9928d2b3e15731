"""Saves at once, for the tests of what the services' locks guarantee (PostgreSQL only:
SQLite runs one writer at a time)."""

import threading
import time

from django.core.exceptions import ValidationError
from django.db import connection, transaction


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


def second_while_first_uncommitted(first, second, *, refused=(ValidationError,)):
    """Run `first` in a transaction held open for half a second after it returns, and
    `second` once `first` has returned, while that transaction is still uncommitted (so a
    lock `first` took makes `second` wait). What each returned, or the error it was
    refused with, as `run_at_once`."""
    first_done = threading.Event()

    def first_and_hold():
        with transaction.atomic():
            outcome = first()
            first_done.set()
            time.sleep(0.5)
        return outcome

    def second_once_the_first_is_done():
        first_done.wait(timeout=10)
        return second()

    return run_at_once(first_and_hold, second_once_the_first_is_done, refused=refused)
