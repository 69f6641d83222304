"""dramabatch: turn a batch of source drama videos into narrated long videos and vertical shorts.

The Snakemake workflow at the repository root wires these modules together; every function here
is importable and unit-tested on its own, so the rule scripts stay a few lines long.
"""

__version__ = "0.1.0"
