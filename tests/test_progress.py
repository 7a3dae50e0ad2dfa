"""A call's `Progress`: what its deadline says it cut short, and whether anything of the
call may have reached the server."""

from __future__ import annotations

from vapi_phone_async._progress import Progress
from vapi_phone_async.errors import APIConnectionError


def test_before_any_attempt_the_call_waited_for_its_turn() -> None:
    progress = Progress()
    assert "before its first attempt" in progress.describe()
    assert not progress.in_flight


def test_each_step_of_an_attempt_reads_as_the_end_of_a_sentence() -> None:
    progress = Progress()
    progress.attempting(2)
    assert progress.in_flight
    assert progress.describe() == "while waiting for the answer to attempt 2"

    progress.waiting_for_connection(5)
    assert not progress.in_flight  # nothing of it was sent
    assert progress.describe() == (
        "while attempt 2 waited for a free connection (max_connections=5); nothing of it was sent"
    )

    progress.sending()
    progress.read(10)
    progress.read(5)
    assert progress.in_flight
    assert "reading the body of attempt 2, still arriving: 15 bytes so far" in progress.describe()


def test_a_failed_attempt_is_remembered_until_the_next() -> None:
    progress = Progress()
    progress.attempting(1)
    progress.read(3)
    error = APIConnectionError("reset", method="GET", path="/p")
    progress.failed(error, acted=False)
    assert progress.error is error and progress.received == 0 and not progress.in_flight
    assert progress.describe() == ("while waiting to retry after attempt 1 failed (GET /p: reset)")
