"""Seeded bijections on ``range(m * n)``, used to hand out unique values.

Unique mobiles, VINs, card numbers and plates are not drawn at random (that
would need a set of every value already used, i.e. memory growing with the
row count); they are ``bijection(index)`` for a per-row index, so they are
distinct by construction and still look random.
"""

from __future__ import annotations

import random


class Bijection:
    """A three-round, mixed-radix Feistel network on ``range(m * n)``.

    ``x = hi * n + lo``; each round adds a table lookup of one half to the
    other half (mod its radix), which is invertible whatever the tables hold.
    Cost: three list lookups and a few integer operations per call.
    """

    __slots__ = ("m", "n", "size", "_f1", "_f2", "_f3")

    def __init__(self, m: int, n: int, rng: random.Random) -> None:
        if m < 1 or n < 1:
            raise ValueError("radices must be positive")
        self.m, self.n, self.size = m, n, m * n
        rand = rng.random
        self._f1 = [int(rand() * m) for _ in range(n)]
        self._f2 = [int(rand() * n) for _ in range(m)]
        self._f3 = [int(rand() * m) for _ in range(n)]

    def __call__(self, x: int) -> int:
        """Image of ``x`` (0 ≤ x < m*n)."""
        m, n = self.m, self.n
        hi, lo = divmod(x, n)
        hi = (hi + self._f1[lo]) % m
        lo = (lo + self._f2[hi]) % n
        hi = (hi + self._f3[lo]) % m
        return hi * n + lo

    def inverse(self, y: int) -> int:
        """Pre-image of ``y`` (used by the tests to prove bijectivity)."""
        m, n = self.m, self.n
        hi, lo = divmod(y, n)
        hi = (hi - self._f3[lo]) % m
        lo = (lo - self._f2[hi]) % n
        hi = (hi - self._f1[lo]) % m
        return hi * n + lo
