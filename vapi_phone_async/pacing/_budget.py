"""The retry budget: how many retries a client (or, through Redis, a fleet) may still make."""

from __future__ import annotations

from .._rules import amount, raise_for

__all__ = ["RetryBudget"]


class RetryBudget:
    """A client's allowance of retries: each retry spends tokens, each success earns one.

    Modelled on botocore's retry quota, sized so that a flaky server never drains it and a
    dead one soon does. Under a steady failure rate `f` it drains only when
    `f * retry_cost > (1 - f) * refill`: with the defaults (300 tokens, 2 a retry, 4 a
    retry after a timeout, 1 back per success) a server failing 20 % of requests never
    drains it, and one failing every request gets 150 retries in all before failures
    surface at once, each saying that the budget is spent. A 429 spends nothing: the
    shared pause and the adaptive rate deal with those. With `RedisPacing`, the fleet
    spends one budget of this size, and `tokens` is its count as this process last saw it.

        VapiPhoneClient(retry_budget=RetryBudget(capacity=1000))  # or False: no budget
    """

    def __init__(
        self,
        capacity: float = 300,
        *,
        retry_cost: float = 2,
        timeout_cost: float = 4,
        refill: float = 1,
    ) -> None:
        raise_for(
            amount("capacity", capacity, allow_none=False)
            + amount("retry_cost", retry_cost, allow_none=False, allow_zero=False)
            + amount("timeout_cost", timeout_cost, allow_none=False, allow_zero=False)
            + amount("refill", refill, allow_none=False)
        )
        self.capacity = capacity
        self.retry_cost = retry_cost
        self.timeout_cost = timeout_cost
        self.refill = refill
        self.tokens = float(capacity)

    def __repr__(self) -> str:
        return f"RetryBudget(tokens={self.tokens:g} of {self.capacity:g})"

    def spend(self, *, timeout: bool = False) -> bool:
        """Take the cost of one retry; False (nothing taken) when too few tokens are left."""
        cost = self.timeout_cost if timeout else self.retry_cost
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True

    def earn(self) -> None:
        """A request succeeded: give back `refill` tokens, up to the capacity."""
        if self.tokens < self.capacity:
            self.tokens = min(self.capacity, self.tokens + self.refill)
