"""The word alignment of the check by ear, in memory that grows with the words, not their square.

``wer.by_segment`` needs more than the edit distance: the alignment itself, to say which
segment each heard word belongs to and where each error falls. The textbook way keeps the
whole (script words x heard words) cost table to walk it back: an hour of narration is 8,000
words each way, 64 million cells, 2.5 GB as Python lists. This module gives the SAME path
(so the same per-segment figures) in linear memory, by Hirschberg's divide and conquer:

- The walk back from the last cell prefers, at each cell, the diagonal (match/substitution),
  then up (a script word not heard), then left (a heard word the script lacks), whichever
  keeps the cell's prefix cost. That choice depends only on the prefix costs around the cell,
  so the path is a chain of "parent" links that a forward pass can follow row by row.
- One forward pass over a rectangle keeps two rows and, for each cell of the current row,
  the column where its chain enters the middle row. The chain from the corner is then split
  there into two half-height problems whose boundaries (the middle row, one column) are
  exact prefix costs: a second, narrower pass gives that column. Small rectangles keep their
  table (bounded size) and are walked directly.

Rows are computed with numpy (the left moves of a row are a running minimum), so an hour of
narration aligns in seconds. Memory: O(script + heard words) plus one bounded table.
"""

from __future__ import annotations

import numpy as np

#: A rectangle of at most this many cells keeps its table of parents (1 B a cell): 4 MB.
_TABLE_CELLS = 1 << 22
_DIAG, _UP, _LEFT = 0, 1, 2


def _costs(up: np.ndarray, left: int, word: int, heard: np.ndarray,
           idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row of prefix costs from the row above, and each cell's diagonal cost."""
    sub = up[:-1] + (heard != word)
    t = np.empty_like(up)
    t[0] = left
    np.minimum(sub, up[1:] + 1, out=t[1:])
    return np.minimum.accumulate(t - idx) + idx, sub  # left moves: min_k t[k] + (j - k)


def _row(up: np.ndarray, left: int, word: int, heard: np.ndarray,
         idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row of prefix costs and each cell's parent (cell 0 is the rectangle's boundary)."""
    row, sub = _costs(up, left, word, heard, idx)
    parent = np.full(len(up), _LEFT, np.uint8)
    parent[1:][up[1:] + 1 == row[1:]] = _UP
    parent[1:][sub == row[1:]] = _DIAG
    return row, parent


def _table_chain(ref: np.ndarray, hyp: np.ndarray, i0: int, j0: int, i1: int, j1: int,
                 top: np.ndarray, left: np.ndarray, moves: list) -> tuple[int, int]:
    """Walk a small rectangle's chain from (i1, j1) out to its top row or left column."""
    idx = np.arange(j1 - j0 + 1, dtype=np.int32)
    heard = hyp[j0:j1]
    parents = np.empty((i1 - i0 + 1, j1 - j0 + 1), np.uint8)
    row = top
    for k in range(1, i1 - i0 + 1):
        row, parents[k] = _row(row, int(left[k]), int(ref[i0 + k - 1]), heard, idx)
    i, j = i1, j1
    while i > i0 and j > j0:
        step = parents.item(i - i0, j - j0)
        moves.append((step, i, j))
        if step == _DIAG:
            i, j = i - 1, j - 1
        elif step == _UP:
            i -= 1
        else:
            j -= 1
    return i, j


def _chain(ref: np.ndarray, hyp: np.ndarray, i0: int, j0: int, i1: int, j1: int,
           top: np.ndarray, left: np.ndarray, moves: list) -> tuple[int, int]:
    """Append the moves of the chain from (i1, j1) until it reaches row i0 or column j0.

    ``top``: exact prefix costs of row i0, columns j0..j1; ``left``: of column j0, rows
    i0..i1. Returns the cell where the chain leaves the rectangle."""
    if i1 == i0 or j1 == j0:
        return i1, j1
    if i1 - i0 < 2 or (i1 - i0 + 1) * (j1 - j0 + 1) <= _TABLE_CELLS:
        return _table_chain(ref, hyp, i0, j0, i1, j1, top, left, moves)
    mid = (i0 + i1) // 2
    idx = np.arange(j1 - j0 + 1, dtype=np.int32)
    heard = hyp[j0:j1]
    row = top
    for k in range(1, mid - i0 + 1):
        row, _ = _costs(row, int(left[k]), int(ref[i0 + k - 1]), heard, idx)
    middle = row
    cross = idx + j0  # where each cell's chain enters the middle row (-1: leaves by the left)
    for k in range(mid - i0 + 1, i1 - i0 + 1):
        up = row
        row, sub = _costs(up, int(left[k]), int(ref[i0 + k - 1]), heard, idx)
        diag = sub == row[1:]
        base = np.empty_like(cross)
        base[0] = -1
        base[1:] = np.where(diag, cross[:-1], cross[1:])
        settled = np.zeros_like(idx)
        settled[1:] = np.where(diag | (up[1:] + 1 == row[1:]), idx[1:], 0)
        cross = base[np.maximum.accumulate(settled)]
    c = int(cross[-1])
    if c <= j0:  # it leaves by the left column below the middle row, or on it
        return _chain(ref, hyp, mid, j0, i1, j1, middle, left[mid - i0:], moves)
    # The lower half needs the exact costs of column c - 1 below the middle row: a pass over
    # the columns left of the crossing only.
    narrow = idx[:c - j0]
    column = np.empty(i1 - mid + 1, np.int32)
    row = middle[:c - j0]
    column[0] = row[-1]
    for k in range(mid - i0 + 1, i1 - i0 + 1):
        row, _ = _costs(row, int(left[k]), int(ref[i0 + k - 1]), heard[:c - j0 - 1], narrow)
        column[k - (mid - i0)] = row[-1]
    _chain(ref, hyp, mid, c - 1, i1, j1, middle[c - 1 - j0:], column, moves)
    return _chain(ref, hyp, i0, j0, mid, c, top[:c - j0 + 1], left[:mid - i0 + 1], moves)


def edit_path(ref: list[int], hyp: list[int]) -> list[tuple[int, int, int]]:
    """The moves (kind, i, j) of the walk back from (len(ref), len(hyp)) to (0, 0).

    ``kind`` is 0 (diagonal: ref[i-1] against hyp[j-1]), 1 (up: ref[i-1] not heard) or
    2 (left: hyp[j-1] not in the script), in walking order, with the same tie-breaking as a
    full table walked back preferring diagonal, then up, then left."""
    r = np.asarray(ref, np.int32)
    h = np.asarray(hyp, np.int32)
    n, m = len(r), len(h)
    moves: list[tuple[int, int, int]] = []
    i, j = _chain(r, h, 0, 0, n, m, np.arange(m + 1, dtype=np.int32),
                  np.arange(n + 1, dtype=np.int32), moves)
    moves.extend((_UP, k, 0) for k in range(i, 0, -1))
    moves.extend((_LEFT, 0, k) for k in range(j, 0, -1))
    return moves
