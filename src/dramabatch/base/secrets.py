"""API keys from the environment: stripped and checked once, and scrubbed in every form.

A key copied from a Windows ``.env`` file or a web page carries a trailing ``\\r`` or ``\\n`` or
a leading space. Sent as it is, ``requests`` refuses the header with an error that quotes the
value (its ``repr``: ``\\r`` written as two characters), which a scrubber matching only the raw
key let through into logs, the run summary and the console. So every key is stripped where it
is read (``read_key``), the workflow checks each key it will use once before any job runs
(``check_keys``: a key with whitespace, a control or a non-ASCII character inside is a clear
error that names the variable, never the value), and ``scrub`` replaces every spelling a
library may print: raw, ``repr``, JSON-escaped and URL-encoded, of the stripped and raw value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

from .errors import ConfigError

#: What replaces a key in any text shown or written.
MASK = "***"


def key_problem(key: str) -> str:
    """Why a (stripped) key cannot go into an HTTP header, or '' when it can."""
    for at, ch in enumerate(key, start=1):
        if ch.isspace():
            return f"a whitespace character (U+{ord(ch):04X}) inside it, at character {at}"
        if not ch.isprintable() or ord(ch) > 126:
            return f"a control or non-ASCII character (U+{ord(ch):04X}) at character {at}"
    return ""


def read_key(env_name: str) -> str:
    """The key in ``env_name``, stripped of surrounding whitespace ('' when unset or blank)."""
    return os.environ.get(env_name, "").strip() if env_name else ""


def check_keys(env_names: Iterable[str]) -> None:
    """Strip each named key in this process's environment (the jobs it starts inherit it) and
    raise ConfigError for a malformed one, naming the variable and the problem only."""
    for name in env_names:
        raw = os.environ.get(name)
        if raw is None:
            continue
        key = raw.strip()
        problem = key_problem(key)
        if problem:
            raise ConfigError(f"environment variable {name} holds a malformed API key: "
                              f"{problem} (copy the key again, without spaces or line breaks)")
        os.environ[name] = key


def _spellings(secret: str) -> set[str]:
    forms = {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], quote(secret, safe=""),
             quote_plus(secret), secret.encode("unicode_escape").decode("ascii", "replace")}
    return {f for f in forms if f}


def scrub(text: str, *secrets: str | None) -> str:
    """``text`` with every spelling of each secret (and of it stripped) replaced by ``***``."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms |= _spellings(secret)
            if secret.strip():
                forms |= _spellings(secret.strip())
    for form in sorted(forms, key=len, reverse=True):  # longest first: no half-masked key
        text = text.replace(form, MASK)
    return text
