"""What a test turns on a running fake: faults, chaos, rate limits, latency, and the knobs
for what the spec leaves open. `FakeVapiServer` has them all (they are documented
there)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._app import FakeApp
from ._echo import EchoEncoding
from ._faults import Fault, FaultMode
from ._listing import CursorMode, PageOffsets
from ._shown import SecretsShown

__all__ = ["FakeControls"]


class FakeControls:
    """The controls of a fake application: the part of `FakeVapiServer` that changes how
    it answers."""

    def __init__(self, fake: FakeApp, latency: float = 0.0) -> None:
        self._fake = fake
        self.latency = latency

    # Faults.

    def inject_fault(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        times: int = 1,
        status: int | None = None,
        retry_after: float | None = None,
        mode: FaultMode = "status",
        delay: float = 0.0,
        body: bytes | None = None,
        content_type: str | None = None,
        encoding: EchoEncoding | None = None,
    ) -> Fault:
        """Spoil the next `times` requests matching `method` and `path` (None matches any).

        Faults queue in the order injected; a request meets the first one that matches.
        `mode`: `status` answers `status` (default 503) with `Retry-After: retry_after` if
        given, without acting; `reset-before` drops the connection without acting;
        `reset-after` acts, then drops it; `truncate` acts and sends half the body;
        `stall` acts, sends the headers and half the body, and the rest `delay` later;
        `trickle` acts and sends the body a byte every `delay` seconds; `malformed` acts
        and answers invalid JSON (with `status` if given); `echo` answers `status`
        (default 500) with the first half of the request's body, without acting, or with
        all of it written in `encoding`: `raw`, `json` (a JSON string in plain text),
        `form`, `percent` (its leaves as a form or a query string) or `html` (in a page,
        with character references); `raw`
        answers `status` (default 200) with `body` as `content_type` (default JSON),
        without acting; `delay` acts and answers after `delay` seconds. `delay` also
        postpones any other mode but `stall` and `trickle`.
        """
        fault = Fault(
            mode=mode,
            method=method,
            path=path,
            times=times,
            status=status,
            retry_after=retry_after,
            delay=delay,
            body=body,
            content_type=content_type,
            encoding=encoding,
        )
        return self._fake.faults.inject(fault)

    @property
    def pending_faults(self) -> list[Fault]:
        """Injected faults not yet used up, in the order they apply."""
        return list(self._fake.faults.pending)

    def clear_faults(self) -> None:
        """Drop pending faults and turn chaos and rate limiting off."""
        self._fake.faults.clear()

    def chaos(self, rate: float, statuses: Iterable[int] = (500, 502, 503), seed: int = 0) -> None:
        """Fail a share `rate` (0..1) of requests with a random status; `chaos(0)` stops."""
        self._fake.faults.set_chaos(rate, statuses, seed)

    def rate_limit(
        self, per_second: float | None, burst: int | None = None, *, retry_after: bool = True
    ) -> None:
        """Answer 429 with `Retry-After` (whole seconds) beyond `per_second` requests.

        A token bucket holding `burst` requests (default: `per_second`, at least 1).
        `retry_after=False` answers the 429 without `Retry-After`: a limit the client must
        find for itself. `rate_limit(None)` turns it off.
        """
        self._fake.faults.set_rate_limit(per_second, burst, retry_after=retry_after)

    def window_limit(
        self, requests: int | None, seconds: float = 60.0, *, retry_after: bool = False
    ) -> None:
        """Answer 429 beyond `requests` per tumbling window of `seconds`, aligned to the
        wall clock, without `Retry-After` (unless `retry_after=True`): the way Vapi counts
        an organisation's limit, per UTC minute, with no reset header. Both limits may be
        set; a request must pass each. `window_limit(None)` turns it off.
        """
        self._fake.faults.set_window_limit(requests, seconds, retry_after=retry_after)

    @property
    def latency(self) -> float:
        """Seconds added before every answer (settable)."""
        return self._fake.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"latency must not be negative (got {seconds})")
        self._fake.latency = seconds

    @property
    def secrets(self) -> SecretsShown:
        """How answers show a number's secrets: `"shown"`, `"masked"` or `"omitted"`."""
        return self._fake.secrets

    @property
    def cursors(self) -> CursorMode:
        """What `/v2/phone-number` does with cursors: False, True, `"shown-only"` or
        `"ignored"`, as for the constructor (settable)."""
        return self._fake.lister.cursors

    @cursors.setter
    def cursors(self, mode: CursorMode) -> None:
        self._fake.lister.cursors = mode

    @property
    def nested_nulls(self) -> bool:
        """Whether a null below a body's top level is taken, as for the constructor
        (settable)."""
        return self._fake.operations.nested_nulls

    @nested_nulls.setter
    def nested_nulls(self, enabled: bool) -> None:
        self._fake.operations.nested_nulls = bool(enabled)

    @property
    def page_cap(self) -> int | None:
        """The most numbers a listing answer holds, whatever `limit` asks (settable)."""
        return self._fake.lister.page_cap

    @page_cap.setter
    def page_cap(self, cap: int | None) -> None:
        self._set_paging(page_cap=cap)

    @property
    def page_offsets(self) -> PageOffsets:
        """How a capped page counts its offset: `"asked"` or `"capped"` (settable)."""
        return self._fake.lister.page_offsets

    @page_offsets.setter
    def page_offsets(self, offsets: PageOffsets) -> None:
        self._set_paging(page_offsets=offsets)

    @property
    def full_metadata(self) -> bool:
        """Whether page metadata carries the fields the spec leaves optional (settable)."""
        return self._fake.lister.full_metadata

    @full_metadata.setter
    def full_metadata(self, full: bool) -> None:
        self._set_paging(full_metadata=full)

    def _set_paging(self, **changed: Any) -> None:
        lister = self._fake.lister
        paging = {
            "page_cap": lister.page_cap,
            "page_offsets": lister.page_offsets,
            "full_metadata": lister.full_metadata,
            **changed,
        }
        lister.set_paging(**paging)
