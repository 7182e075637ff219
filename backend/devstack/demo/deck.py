"""Which story each assigned case gets, and the requests officers raise along the way.

Stories are dealt per kind of case (arrears only, arrears with equipment, equipment
only) from a deck: the listed counts first, topped up with everyday stories when there
are more cases, then shuffled with the seeded generator.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Awaitable, Callable
from functools import partial

from backend.cases.models import Action, Case
from backend.devstack.demo import asks, board, equipment
from backend.devstack.demo import stories as s
from backend.devstack.demo.work import Work
from backend.requests.models import Decision

Story = Callable[[Work, Case, int], Awaitable[None]]

# The rare endings come first, so they survive when there are fewer cases than listed.
ARREARS: tuple[tuple[Story, int], ...] = (
    (s.withdrawn, 1),
    (board.written_off, 1),
    (board.sent_to_court, 1),
    (board.review_rejected, 1),
    (board.board_settled, 2),
    (board.legal_review, 3),
    (board.mediation_case, 6),
    (s.paid_in_full, 8),
    (s.lump_sum_paid, 4),
    (s.plan_paying, 10),
    (s.plan_new, 4),
    (s.lump_sum, 6),
    (s.discounted_lump_sum, 3),
    (s.promise_kept, 7),
    (s.promise_open, 14),
    (s.refused, 8),
    (s.dispute, 3),
    (s.unreachable, 10),
)
WITH_CPE: tuple[tuple[Story, int], ...] = (
    (board.written_off, 1),
    (equipment.paid_and_returned, 3),
    (equipment.returned_arrears_open, 3),
    (equipment.promised_and_collected, 5),
    (board.board_settled, 1),
    (board.legal_review, 3),
    (board.mediation_case, 6),
    (s.paid_in_full, 3),  # arrears done, equipment still out
    (s.plan_paying, 10),
    (s.plan_new, 4),
    (s.lump_sum, 5),
    (s.discounted_lump_sum, 3),
    (s.promise_kept, 6),
    (s.promise_open, 14),
    (s.refused, 7),
    (s.dispute, 2),
    (s.unreachable, 12),
)
CPE_ONLY: tuple[tuple[Story, int], ...] = (
    (equipment.returned, 4),
    (equipment.collected, 5),
    (equipment.rejected, 1),
    (equipment.lost, 2),
    (equipment.not_available, 3),
    (equipment.refused_return, 3),
    (s.unreachable, 5),
)
EVERYDAY = (
    s.untouched,
    s.unreachable,
    s.promise_open,
    s.plan_paying,
    s.untouched,
    s.promise_kept,
    s.refused,
    s.lump_sum,
)
CPE_EVERYDAY = (s.untouched, s.unreachable)

# Requests raised on the n-th case of a story: (story, n) -> request.
REQUESTS: dict[tuple[Story, int], Callable[[Work, Case], Awaitable[None]]] = {
    (s.promise_open, 0): asks.extension,
    (s.promise_open, 1): asks.extension,
    (s.promise_open, 2): partial(asks.extension, decision=Decision.APPROVE),
    (s.promise_open, 3): partial(asks.extension, decision=Decision.REJECT),
    (s.refused, 0): asks.board_letter,
    (s.refused, 1): asks.board_letter,
    (s.refused, 2): partial(
        asks.other,
        topic="waiver",
        decision=Decision.REJECT,
        note="Fee waivers are the operator's decision; ask the RCMP",
    ),
    (s.dispute, 0): partial(asks.other, topic="bills"),
    (s.untouched, 0): partial(asks.other, topic="address"),
    (s.untouched, 1): partial(
        asks.other, topic="visit", decision=Decision.APPROVE, note="Approved; go together on Monday"
    ),
    (s.plan_paying, 0): partial(
        asks.other,
        topic="cheques",
        decision=Decision.APPROVE,
        note="Accept them, dated on the instalment days",
    ),
}


def deal(work: Work, cases: list[Case], deck: tuple, everyday: tuple) -> list[tuple[Story, Case]]:
    """One story per case: the deck's counts, topped up with everyday ones, shuffled."""
    listed = [story for story, count in deck for _ in range(count)][: len(cases)]
    topping = itertools.cycle(everyday)
    listed += [next(topping) for _ in range(len(cases) - len(listed))]
    work.rng.shuffle(listed)
    return list(zip(listed, cases, strict=True))


def hand_out(work: Work, assigned: list[Case]) -> list[tuple[Story, Case]]:
    by_action: dict[Action, list[Case]] = {action: [] for action in Action}
    for case in assigned:
        by_action[case.action].append(case)
    return [
        *deal(work, by_action[Action.ARREARS], ARREARS, EVERYDAY),
        *deal(work, by_action[Action.ARREARS_AND_CPE], WITH_CPE, EVERYDAY),
        *deal(work, by_action[Action.CPE], CPE_ONLY, CPE_EVERYDAY),
    ]


async def play(work: Work, assigned: list[Case]) -> Counter[str]:
    """Run every case's story, then its request if it has one; returns stories told."""
    told: Counter[Story] = Counter()
    for story, case in hand_out(work, assigned):
        n = told[story]
        told[story] += 1
        await story(work, case, n)
        request = REQUESTS.get((story, n))
        if request is not None:
            await request(work, case)
    return Counter({story.__name__: count for story, count in told.items()})
