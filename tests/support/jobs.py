"""The job queue in tests: jobs run inline, or a real consumer beside the test."""

import signal
import time
from collections.abc import Callable, Iterator

import pytest
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY

# A real consumer backs off to ten seconds between polls of an empty queue, and stopping
# it waits out that sleep. In tests it polls every 50 ms instead, so that a job is picked
# up, and the consumer stopped, almost at once; polling faster only takes the CPU from the
# work being waited for.
POLL_SECONDS = 0.05


@pytest.fixture
def jobs_inline() -> Iterator[None]:
    """Jobs run as they are enqueued (after commit), in this process."""
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def consumer() -> Iterator[Consumer]:
    """A real huey consumer on the configured queue (this worker's SQLite file, or Redis
    with REDIS_URL), in threads of this process."""
    HUEY.flush()
    # The consumer installs signal handlers of its own; pytest's must stay in place.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    worker = HUEY.create_consumer(
        workers=1,
        periodic=False,
        check_worker_health=False,
        initial_delay=POLL_SECONDS,
        backoff=1,
        max_delay=POLL_SECONDS,
    )
    worker.start()
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    yield worker
    worker.stop(graceful=True)
    HUEY.flush()


def wait_for(condition: Callable[[], bool], seconds: float = 120.0) -> bool:
    """Whether ``condition()`` came true within ``seconds`` (checked every 50 ms)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL_SECONDS)
    return False
