"""Threads released at the same instant, for the tests that prove a guard holds under a race."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import close_old_connections, connection

from kakehashi.core.errors import DomainError

# A thread still running after this long is stuck (a lock nobody releases): the test goes
# on and its assertions report it rather than hanging the run.
JOIN_SECONDS = 120


@dataclass
class Outcome:
    """What the threads of a race came to: a result, a clear refusal, or a crash."""

    results: list[Any] = field(default_factory=list)
    refusals: list[DomainError] = field(default_factory=list)
    crashes: list[BaseException] = field(default_factory=list)

    @property
    def statuses(self) -> list[str]:
        """The status of each result that has one (an enrollment's, a run's)."""
        return [getattr(result, "status", "") for result in self.results]


def race(
    n: int, job: Callable[[int], Any], *, refused: type[DomainError] = DomainError
) -> Outcome:
    """Run ``job(i)`` for i in range(n) in n threads released at the same instant.

    An error of the ``refused`` kind is an answer a person would get ("full", "already
    applied"); anything else is a crash. Each thread has its own database connection and
    closes it, so that none is left open for the test database's teardown.
    """
    outcome = Outcome()
    barrier = threading.Barrier(n)
    lock = threading.Lock()

    def run(i: int) -> None:
        close_old_connections()
        try:
            barrier.wait()
            result = job(i)
            with lock:
                outcome.results.append(result)
        except refused as error:
            with lock:
                outcome.refusals.append(error)
        except BaseException as error:
            with lock:
                outcome.crashes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_SECONDS)
    return outcome


def race_each(
    jobs: list[Callable[[], Any]], *, refused: type[DomainError] = DomainError
) -> Outcome:
    """Run each of ``jobs`` in its own thread, all released at the same instant."""
    return race(len(jobs), lambda i: jobs[i](), refused=refused)
