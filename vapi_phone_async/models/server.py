"""The webhook server a number talks to: Server, its BackoffPlan, and SIP authentication."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from ._base import Model

__all__ = ["BackoffPlan", "BackoffType", "Server", "SipAuthentication"]

BackoffType = Literal["fixed", "exponential"]


class BackoffPlan(Model, kw_only=True):
    """How failed deliveries are retried: Vapi's webhook plan, and this client's own retries.

    `fixed` waits `base_delay_seconds` before each retry; `exponential` waits
    `base_delay_seconds * 2 ** (attempt - 1)`. A status in `excluded_status_codes` is
    never retried. For the client, leaving `excluded_status_codes` unset excludes the
    statuses a retry cannot fix (400, 401, 403, 404, 409, 422); an empty list retries
    every non-2xx status, as Vapi does.

        BackoffPlan(type="exponential", max_retries=3, base_delay_seconds=0.5)
    """

    type: str
    max_retries: int
    base_delay_seconds: float
    excluded_status_codes: list[int] | None = None


class Server(Model, kw_only=True):
    """The URL Vapi sends a number's messages to; `secret` and header values stay hidden."""

    __secret_fields__: ClassVar[frozenset[str]] = frozenset({"secret"})
    __secret_mapping_fields__: ClassVar[frozenset[str]] = frozenset({"headers"})

    timeout_seconds: float | None = None
    credential_id: str | None = None
    static_ip_addresses_enabled: bool | None = None
    encrypted_paths: list[str] | None = None
    url: str | None = None
    secret: str | None = None
    headers: dict[str, Any] | None = None
    backoff_plan: BackoffPlan | None = None


class SipAuthentication(Model, kw_only=True):
    """Credentials a SIP peer must present; the password never shows in a repr."""

    __secret_fields__: ClassVar[frozenset[str]] = frozenset({"password"})

    realm: str | None = None
    username: str
    password: str
