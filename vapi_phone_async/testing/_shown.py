"""How the fake shows the secrets of a stored number in its answers.

Vapi's docs and spec list the secrets among a number's response fields (`twilioAuthToken`,
`twilioApiSecret`, `server.secret`, `server.headers`, a SIP `authentication.password`),
and nothing documents whether the live API masks them. The fake shows them as stored by
default, and can imitate a server that does not:

- `"shown"`: as stored (the default);
- `"masked"`: each secret value replaced by `MASK`, header names kept;
- `"omitted"`: each secret left out of the answer (a `headers` object whole).

Only answers change: the store keeps what was sent.
"""

from __future__ import annotations

from typing import Any, Literal

from .._secrets import SECRET_KEYS

__all__ = ["MASK", "SECRETS_SHOWN", "SecretsShown", "hide_secrets"]

SecretsShown = Literal["shown", "masked", "omitted"]
SECRETS_SHOWN: tuple[SecretsShown, ...] = ("shown", "masked", "omitted")
MASK = "********"


def hide_secrets(value: Any, how: SecretsShown) -> Any:
    """A copy of a stored number (or any JSON in it) with its secrets shown `how`."""
    if how == "shown":
        return value
    if isinstance(value, list):
        return [hide_secrets(item, how) for item in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in SECRET_KEYS and isinstance(item, str):
            if how == "masked":
                out[key] = MASK
        elif key == "headers" and isinstance(item, dict):
            if how == "masked":
                out[key] = dict.fromkeys(item, MASK)
        else:
            out[key] = hide_secrets(item, how)
    return out
