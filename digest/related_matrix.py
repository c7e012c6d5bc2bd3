"""Related items on large sites: candidates from a sparse matrix product, then exact scores.

With A the item × thing matrix (a thing's value where the item has it), A·Aᵀ holds for every
pair what it shares, computed by scipy in compiled code and only for pairs that share
something: the work is the sum over things of (items with it)², never all pairs. This module
uses that product, plus the time term, only to pick candidates: pairs within a margin of the
threshold and of the row's `limit`-th best. Every candidate is then scored exactly by
related._score_pair (math.fsum, rounded), so the lists are the same as the pairwise method's
(tests/test_related.py checks both against a comparison of every pair).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from .related import declared_partners

# Float sums in another order differ by far less than this; rounding to 3 decimals moves a
# score by at most 0.0005. So any pair that can make a list is within this of the cut.
MARGIN = 0.002
ROWS_PER_BLOCK = 64


class Matrix:
    """The sparse item × thing matrices and the items' days, built once and shared with workers."""

    def __init__(self, index):
        tokens = sorted(index.holders)
        column = {token: c for c, token in enumerate(tokens)}
        rows, cols, values = [], [], []
        for i, own in enumerate(index.own):
            for token, value in own.items():
                rows.append(i)
                cols.append(column[token])
                values.append(value)
        shape = (len(index.items), len(tokens))
        self.weighted = sparse.csr_matrix((np.array(values, dtype=np.float64), (rows, cols)), shape=shape)
        self.holders = sparse.csr_matrix((np.ones(len(rows)), (cols, rows)), shape=shape[::-1])
        self.days = np.array([np.nan if item.day is None else float(item.day) for item in index.items])
        self.partners = declared_partners(index)

    def blocks(self) -> list[range]:
        n = self.weighted.shape[0]
        return [range(lo, min(lo + ROWS_PER_BLOCK, n)) for lo in range(0, n, ROWS_PER_BLOCK)]

    def candidates(self, block: range, weights) -> dict[int, set[int]]:
        """Row i in block → the j ≠ i that may make i's list: declared, or close enough to the cut."""
        lo, hi = block.start, block.stop
        product = (self.weighted[lo:hi] @ self.holders).tocsr()
        # Time adds at most weights.time: a pair that falls short of the threshold by more cannot
        # make a list, and most pairs (sharing one common thing) are dropped here, before their
        # rows are told and their time terms computed (about half of this method's time at N = 5,000).
        reach = np.flatnonzero(product.data >= weights.threshold - max(weights.time, 0.0) - 2 * MARGIN)
        row = np.searchsorted(product.indptr, reach, side="right") - 1 + lo
        col, shared = product.indices[reach], product.data[reach]
        score = shared + _time_terms(self.days[row], self.days[col], weights)
        keep = (col != row) & (score >= weights.threshold - MARGIN)
        row, col, score = row[keep], col[keep], score[keep]
        order = np.lexsort((-score, row))
        row, col, score = row[order], col[order], score[order]
        cut = _row_cuts(row, score, lo, hi, max(weights.limit, 0))
        keep = score >= cut[row - lo] - MARGIN
        found: dict[int, set[int]] = {i: set(self.partners.get(i, ())) for i in block}
        for i, j in zip(row[keep].tolist(), col[keep].tolist()):
            found[i].add(j)
        return found


def _row_cuts(row: np.ndarray, score: np.ndarray, lo: int, hi: int, limit: int) -> np.ndarray:
    """Per row, the limit-th best approximate score (−inf when the row has fewer)."""
    cut = np.full(hi - lo, -np.inf)
    if limit == 0:
        cut[:] = np.inf
        return cut
    starts = np.searchsorted(row, np.arange(lo, hi))
    rank = np.arange(len(row)) - starts[row - lo]
    at_limit = rank == limit - 1
    cut[row[at_limit] - lo] = score[at_limit]
    return cut


def _time_terms(days: np.ndarray, others: np.ndarray, weights) -> np.ndarray:
    """related._time_term for arrays of days (NaN when undated)."""
    if weights.time <= 0:
        return np.zeros(len(days))
    gap = np.abs(days - others)
    if weights.time_scale_days > 0:
        terms = weights.time * np.exp(-gap / weights.time_scale_days)
    else:
        terms = np.where(gap == 0, weights.time, 0.0)
    return np.nan_to_num(terms, nan=0.0)
