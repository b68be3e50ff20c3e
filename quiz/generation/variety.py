"""Which facts a quiz reads first: a seeded design that keeps any two quizzes apart.

Issue 11 asks that two quizzes of ten with different seeds share at most 30% of their
facts on a dossier of a hundred facts or more, and that twenty quizzes reach nine facts
in ten. A window on the bank cannot do both: twenty windows of nine facts on a circle of
111 cannot all stay 70% apart (the golden-ratio windows this replaces put seeds 13 or 21
apart within 3% of a turn, and two such quizzes shared 7 to 9 of their facts). A quiz
must spread its facts over the whole bank, in a pattern no other seed repeats.

**The grid.** A quiz's universe (the facts it may ask, in ``(sample_key, pk)`` order: a
random order fixed per fact, see :mod:`quiz.generation.bank`) is laid out row by row in
a grid of ``columns`` columns and ``p`` rows, ``p`` the smallest prime with ``p * p >=
n`` and ``columns = ceil(n / p)``, so ``columns <= p`` and only the last rows have empty
cells. For the shipped dossier's 112 facts that is 11 x 11.

**The curve.** Design ``(a, b, e)`` reads, in column ``i``, the row

    (a + b*i + e*i*i) mod p

Two different polynomials of degree two or less over the integers mod ``p`` agree at no
more than two points, so two different designs share at most two cells, and two lines
(``e == 0``) at most one. A 10-question quiz asks eight or nine facts, all on its
curve when its curve holds them: two such quizzes share at most 2 in 8 (25%).

**Seeds to designs.** Design indices run through the full rows first (``b = e = 0``),
then the lines by slope, then the parabolas. The full rows are disjoint and together
cover the bank: that is what lets twenty quizzes reach nearly every fact. Two lines (the
first ``full rows + p * (p - 1)`` designs) share at most one fact, any two designs at
most two. There are
``full rows + p * (p - 1) + p * p * (p - 1)`` designs (1,330 for 11 x 11): seeds that many
apart read the same curve. A quiz starts at column ``index mod columns``, so the cells a
quiz leaves unread at the end of its curve move round from one design to the next.

**Running short.** When a curve's facts do not suffice (an empty cell, a fact that
cannot be asked, a quiz longer than a curve), the quiz reads on along the curve shifted
one row down, then two..., which together visit every cell once: the order is a
permutation of the whole universe. Only facts read past the first curve can make two
quizzes meet more than the bound says. Measured on the shipped dossier (fact questions):
any two of seeds 1 to 120 (lines) share at most 2 facts in 8; of the 44,850 pairs of 300
random seeds, 59 share more than 30% (14 of them the same facts: seeds on one design), where
the golden-ratio windows had 5,536. A 20-question quiz reads past its curve (11 cells) and is
not bounded: it shares 15% of its facts with another on average, as random quizzes would.

Everything here is arithmetic on ranks: no database, no random state. Which universe a
quiz reads (a large bank is cut into blocks) and how a player's seen facts are put last
is :func:`quiz.generation.bank.read_universe` and
:func:`quiz.generation.assemble._first_facts`.
"""

from __future__ import annotations

from math import isqrt


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    return all(n % d for d in range(2, isqrt(n) + 1))


def grid(n: int) -> tuple[int, int]:
    """``(p, columns)`` for a universe of ``n`` facts: ``p`` prime, ``p * p >= n``, ``columns * p >= n``."""
    if n <= 0:
        return 2, 0
    p = max(2, isqrt(n - 1) + 1)
    while not _is_prime(p):
        p += 1
    return p, -(-n // p)


def design_count(n: int) -> int:
    """How many different curves a universe of ``n`` facts has (seeds this far apart repeat)."""
    if n <= 0:
        return 1
    p, columns = grid(n)
    return n // columns + p * (p - 1) + p * p * (p - 1)


def curve(n: int, index: int) -> tuple[int, int, int]:
    """The coefficients ``(a, b, e)`` of design ``index`` on a universe of ``n`` facts."""
    p, columns = grid(n)
    full_rows = n // columns
    k = index % design_count(n)
    if k < full_rows:
        return k, 0, 0
    k -= full_rows
    if k < p * (p - 1):
        return k % p, 1 + k // p, 0
    k -= p * (p - 1)
    return k % p, (k // p) % p, 1 + k // (p * p)


def curve_ranks(n: int, index: int, shift: int = 0) -> list[int]:
    """The ranks on design ``index``'s curve moved ``shift`` rows down, one per column, in
    the order the quiz reads them (empty cells skipped)."""
    if n <= 0:
        return []
    p, columns = grid(n)
    a, b, e = curve(n, index)
    ranks = []
    for step in range(columns):
        i = (index + step) % columns
        rank = ((a + shift + b * i + e * i * i) % p) * columns + i
        if rank < n:
            ranks.append(rank)
    return ranks


def design_order(n: int, index: int) -> list[int]:
    """Every rank ``0 .. n - 1``, in the order design ``index`` reads them: its curve first,
    then the curve shifted by one row, by two... (each column's rows once each)."""
    p, _ = grid(n)
    return [rank for shift in range(p) for rank in curve_ranks(n, index, shift)]
