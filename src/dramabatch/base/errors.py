"""One exception type that carries the drama, the stage and an actionable cause.

Users run batches of hundreds of dramas; when one fails, the only useful message is one that says
which drama, which stage and why in words they can act on. Everything raised on purpose by this
package is a ``DramaError`` (or a subclass), so the rule runner can print it in one line.
"""

from __future__ import annotations


class DramaError(RuntimeError):
    """A failure of one drama at one stage, with a cause a user can act on."""

    def __init__(self, cause: str, *, drama: str | None = None, stage: str | None = None):
        self.cause = cause
        self.drama = drama
        self.stage = stage
        super().__init__(self.describe())

    def describe(self) -> str:
        where = []
        if self.drama:
            where.append(f"drama '{self.drama}'")
        if self.stage:
            where.append(f"stage {self.stage}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.cause}" if prefix else self.cause

    def located(self, *, drama: str | None, stage: str | None) -> DramaError:
        """Fill in drama/stage where the raiser did not know them."""
        self.drama = self.drama or drama
        self.stage = self.stage or stage
        self.args = (self.describe(),)
        return self


class ConfigError(DramaError):
    """A manifest or configuration problem, caught before any job runs."""
