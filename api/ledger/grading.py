"""GraphQL type of an SHG's Panchasutra grade (:mod:`ledger.grading`)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import Private

from api.hierarchy.types import Cbo, cbo_type
from ledger import grading

strawberry.enum(grading.Sutra, description="The five sutras a VO grades an SHG on.")
strawberry.enum(grading.Grade)


@strawberry.type(description="One sutra's score, with the measure behind it.")
class SutraScore:
    sutra: grading.Sutra
    measure: str = strawberry.field(description="The ratio the score is read from, 0 to 1.")
    points: int = strawberry.field(description=f"0 to {grading.POINTS}.")


@strawberry.type(description="The SHG's Panchasutra scores and grade, computed from its books.")
class Panchasutra:
    as_of: date
    scores: list[SutraScore]
    points: int = strawberry.field(description="Out of 100.")
    grade: grading.Grade
    eligible_for_funds: bool = strawberry.field(
        description="Grade A or B, and neither cash nor bank below zero: a VO may recommend "
        "Revolving Fund and CIF."
    )
    overdrawn: bool = strawberry.field(
        description="Cash or bank below zero in the approved books on `asOf`."
    )
    report: Private[grading.Panchasutra]

    @classmethod
    def from_report(cls, report: grading.Panchasutra) -> Panchasutra:
        return cls(
            as_of=report.as_of,
            scores=[
                SutraScore(sutra=s.sutra, measure=str(s.measure), points=s.points)
                for s in report.scores
            ],
            points=report.points,
            grade=report.grade,
            eligible_for_funds=report.eligible_for_funds,
            overdrawn=report.overdrawn,
            report=report,
        )

    @strawberry.field
    def shg(self) -> Cbo:
        result: Cbo = cbo_type(self.report.shg)
        return result
