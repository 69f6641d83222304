"""The "what each config key reruns" table of config/README.md, generated from ``tracks.TRACKS``.

``tools/config_reference.py --write`` puts it in config/README.md; ``tests/test_docs.py`` fails
while that copy differs, so the table can never drift from the params the rules really track.
"""

from __future__ import annotations

from .tracks import (
    CHECKS,
    EMBEDDED,
    FIXED_ORIENTATION,
    OPERATIONAL,
    STRUCTURAL,
    TRACKS,
    Track,
    applies,
)


def rerun_rules(track: Track) -> list[str]:
    """The rules whose jobs a change to ``track``'s key reruns, embedded stages resolved."""
    rules: list[str] = []
    for rule in track.rules:
        if rule not in FIXED_ORIENTATION or applies(track, rule, FIXED_ORIENTATION[rule]):
            rules.append(rule)
        rules += [host for host, (stage, orientation) in EMBEDDED.items()
                  if stage == rule and applies(track, rule, orientation)]
    return list(dict.fromkeys(rules))


def rerun_table() -> str:
    """Markdown: every config key and what a change to it reruns (for config/README.md)."""
    rows: dict[str, list[str]] = {}
    for track in TRACKS:
        what = ", ".join(f"`{r}`" for r in rerun_rules(track))
        rows.setdefault(track.key, []).append(f"{what} {track.note}".strip())
    lines = ["| key | reruns (and everything after it) |", "|---|---|"]
    lines += [f"| `{k}` | {'; '.join(v)} |" for k, v in rows.items()]
    lines += [f"| `{k}` | nothing: how jobs run (timeouts, retries, limits) |" for k in OPERATIONAL]
    lines += [f"| `{k}` | nothing: a pass/fail check; finished outputs are kept |" for k in CHECKS]
    lines += [f"| `{k}` | which jobs and files exist (paths, members); changed paths rerun through "
              f"their inputs |" for k in STRUCTURAL]
    return "\n".join(lines)
