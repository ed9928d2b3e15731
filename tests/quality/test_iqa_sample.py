"""The IQA draw over a fixed set of decisions at every stage: tutors sampled at the plan's
share, a new tutor and a tutor with a recent disagreement sampled more, decisions already
in the sample, and decisions the lead may not judge (their own, and those on an
apprenticeship they once tutored). The picks (why, which decision, the draw and the share)
are pinned with how many decisions were considered and left out, so a change to how the
draw reads the decisions cannot change the sample. The draw and the IQA report over the
same decisions run the same queries however many decisions there are. Runs on both
engines."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apprenticeship.models import DecisionStage
from apprenticeship.services import count_decision
from epa.models import GatewayDeclaration
from portfolio.evidence.models import DutySignOff, EvidenceComment
from portfolio.reviews.models import ReviewParty
from quality.iqa import selectors
from quality.iqa import services as iqa
from quality.models import IqaItem, SamplingPlan
from tests import factories
from tests.helpers import iqa as helpers

SEED = 20250705
NOW = dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)
START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)

# (who decided, on which apprenticeship, days into the period). Times repeat across
# tutors, so the order by time falls back to the decision's id.
EVIDENCE = (
    [("old", "a1", (k * 37) % 170) for k in range(24)]
    + [("doubted", "a2", (k * 53) % 170) for k in range(12)]
    + [("new", "a3", 40), ("new", "a3", 40)]
    + [("lead", "a2", 15), ("lead", "a1", 90)]
    + [("old", "lead_tutored", 20), ("old", "lead_tutored", 120), ("doubted", "lead_tutored", 60)]
    + [("old", "a1", -3), ("old", "a1", 185)]  # outside the period
    + [("old", "later", 10), ("old", "elsewhere", 10)]  # outside the plan's cohort
)
SIGN_OFFS = [
    ("old", "a1", 5),
    ("old", "a1", 33),
    ("old", "a1", 70),
    ("old", "a1", 101),
    ("old", "a1", 150),
    ("doubted", "a2", 12),
    ("doubted", "a2", 99),
    ("new", "a3", 77),
    ("old", "lead_tutored", 30),
]
REVIEWS = [
    ("old", "a1", 20),
    ("old", "a1", 110),
    ("doubted", "a2", 60),
    ("new", "a3", 88),
    ("lead", "a3", 100),
    ("doubted", "a2", 140),
    ("new", "a3", 130),
]
GATEWAY = [("old", "a1", 160), ("doubted", "a2", 170), ("new", "a3", 175)]
FIRST_ID = {
    DecisionStage.EVIDENCE: 3001,
    DecisionStage.SIGN_OFF: 4001,
    DecisionStage.REVIEW: 5001,
    DecisionStage.GATEWAY: 6001,
}


def _moment(days: int) -> dt.datetime:
    return dt.datetime(2025, 1, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=days)


class World:
    """A provider's cohort with the decisions above, made as rows with fixed ids, and a
    plan with a fixed seed over all four stages."""

    def __init__(self) -> None:
        self.provider = factories.ProviderFactory()
        version = factories.StandardVersionFactory()
        self.duties = [
            factories.DutyFactory(standard_version=version, number=n) for n in range(1, 11)
        ]
        admin = factories.UserFactory()
        factories.OrganisationMembershipFactory(
            user=admin, organisation=self.provider, is_admin=True
        )
        self.lead = helpers.make_lead(self.provider, admin=admin)
        self.people = {
            name: factories.UserFactory(full_name=name.title())
            for name in ("old", "new", "doubted")
        }
        self.people["lead"] = self.lead
        cohort = {"provider": self.provider, "standard_version": version}
        self.apprenticeships = {
            name: factories.ApprenticeshipFactory(**cohort, start_date=dt.date(2024, 9, 1))
            for name in ("a1", "a2", "a3", "lead_tutored")
        }
        self.apprenticeships["later"] = factories.ApprenticeshipFactory(
            **cohort, start_date=dt.date(2025, 3, 1)
        )
        self.apprenticeships["elsewhere"] = factories.ApprenticeshipFactory(
            standard_version=version, start_date=dt.date(2024, 9, 1)
        )
        for tutor, apprenticeship, days in [
            ("old", "a1", 400),
            ("old", "lead_tutored", 400),
            ("doubted", "a2", 400),
            ("new", "a3", 30),
        ]:
            factories.MembershipFactory(
                apprenticeship=self.apprenticeships[apprenticeship],
                user=self.people[tutor],
                started_at=NOW - dt.timedelta(days=days),
            )
        factories.MembershipFactory(
            apprenticeship=self.apprenticeships["lead_tutored"],
            user=self.lead,
            is_active=False,
            started_at=NOW - dt.timedelta(days=700),
            ended_at=NOW - dt.timedelta(days=500),
            ended_reason="Moved to quality assurance.",
        )
        self.plan = iqa.make_plan(
            provider=self.provider,
            by=self.lead,
            name="Autumn 2024 cohort",
            scope=SamplingPlan.Scope.COHORT,
            percent=10,
            stages=list(DecisionStage.values),
            cohort_start_from=dt.date(2024, 1, 1),
            cohort_start_to=dt.date(2024, 12, 31),
        )
        SamplingPlan.objects.filter(pk=self.plan.pk).update(seed=SEED)
        self.plan.refresh_from_db()
        # {(stage, decision id): (apprenticeship id, tutor id, when, label)}
        self.made: dict[tuple[str, int], tuple[int, int, dt.datetime, str]] = {}
        self.ids: dict[str, list[int]] = {stage: [] for stage in DecisionStage.values}
        self.next_id = dict(FIRST_ID)
        self.next_duty = dict.fromkeys(self.apprenticeships, 0)
        for stage, specs in [
            (DecisionStage.EVIDENCE, EVIDENCE),
            (DecisionStage.SIGN_OFF, SIGN_OFFS),
            (DecisionStage.REVIEW, REVIEWS),
            (DecisionStage.GATEWAY, GATEWAY),
        ]:
            for tutor, apprenticeship, days in specs:
                self.decide(stage, tutor, apprenticeship, days)
        # A comment in the thread is not a decision.
        EvidenceComment.objects.create(
            pk=FIRST_ID[DecisionStage.EVIDENCE] - 1,
            evidence=factories.EvidenceFactory(apprenticeship=self.apprenticeships["a1"]),
            author=self.people["old"],
            kind=EvidenceComment.Kind.COMMENT,
            version=1,
            body="Thanks, I will add the date.",
            created_at=_moment(50),
        )
        # Already in this plan's sample: one each by the old and the doubted tutor, one the
        # lead may not judge (not left out again), and a sign-off.
        for stage, index in [
            (DecisionStage.EVIDENCE, 0),
            (DecisionStage.EVIDENCE, 24),
            (DecisionStage.EVIDENCE, 38),
            (DecisionStage.SIGN_OFF, 1),
        ]:
            self.sampled(self.plan, stage, self.ids[stage][index])
        # The doubted tutor had a disagreement 10 days ago; the old tutor's was long ago.
        self.earlier = helpers.cohort_plan(self.provider, self.lead, name="Earlier")
        disagree = IqaItem.Verdict.DISAGREE
        sign_offs = self.ids[DecisionStage.SIGN_OFF]
        self.sampled(self.earlier, DecisionStage.SIGN_OFF, sign_offs[5], verdict=disagree, days=10)
        self.sampled(self.earlier, DecisionStage.SIGN_OFF, sign_offs[0], verdict=disagree, days=200)

    def decide(self, stage: str, tutor: str, apprenticeship: str, days: int) -> int:
        pk = self.next_id[stage]
        self.next_id[stage] += 1
        at = _moment(days)
        who = self.people[tutor]
        on = self.apprenticeships[apprenticeship]
        if stage == DecisionStage.EVIDENCE:
            number = len(self.ids[stage])
            title = "" if number == 5 else f"Reflection {number}"
            version = 1 + number % 3
            kind = (
                EvidenceComment.Kind.REFERRED if number % 4 == 3 else EvidenceComment.Kind.ACCEPTED
            )
            EvidenceComment.objects.create(
                pk=pk,
                evidence=factories.EvidenceFactory(apprenticeship=on, title=title),
                author=who,
                kind=kind,
                version=version,
                body="Decision.",
                created_at=at,
            )
            verb = "referred back" if kind == EvidenceComment.Kind.REFERRED else "accepted"
            label = f"Evidence “{title or 'Untitled'}” (version {version}) {verb}"
        elif stage == DecisionStage.SIGN_OFF:
            duty = self.duties[self.next_duty[apprenticeship]]
            self.next_duty[apprenticeship] += 1
            DutySignOff.objects.create(
                pk=pk,
                apprenticeship=on,
                duty=duty,
                comment="Covered by the accepted evidence.",
                signed_by=who,
                signed_at=at,
            )
            label = f"Sign-off of duty {duty.number}"
        elif stage == DecisionStage.REVIEW:
            review_version = factories.ReviewVersionFactory(
                review__apprenticeship=on, held_on=at.date()
            )
            factories.ReviewSignatureFactory(
                pk=pk, version=review_version, party=ReviewParty.TUTOR, signer=who, signed_at=at
            )
            label = f"Progress review held on {at.date():%-d %B %Y}"
        else:
            GatewayDeclaration.objects.create(
                pk=pk,
                apprenticeship=on,
                party=GatewayDeclaration.Party.PROVIDER,
                statement="Ready for the end-point assessment.",
                content={},
                digest="0" * 64,
                declared_by=who,
                declared_at=at,
            )
            label = "Gateway confirmation for the provider"
        # Counted as the four decision services count theirs.
        count_decision(apprenticeship=on, made_by=who, stage=stage, at=at)
        self.ids[stage].append(pk)
        self.made[(stage, pk)] = (on.pk, who.pk, at, label)
        return pk

    def sampled(self, plan, stage: str, decision_id: int, *, verdict: str = "", days: int = 0):
        """Put the decision in `plan`'s sample, with the lead's verdict made `days` ago."""
        apprenticeship_id, tutor_id, at, label = self.made[(stage, decision_id)]
        agree = verdict == IqaItem.Verdict.AGREE
        judged = (
            {
                "verdict": verdict,
                "verdict_note": "" if agree else "See the notes.",
                "verdict_by": self.lead,
                "verdict_at": NOW - dt.timedelta(days=days),
                "follow_up": IqaItem.FollowUp.NONE if agree else IqaItem.FollowUp.OPEN,
            }
            if verdict
            else {}
        )
        IqaItem.objects.create(
            plan=plan,
            apprenticeship_id=apprenticeship_id,
            tutor_id=tutor_id,
            stage=stage,
            decision_id=decision_id,
            decided_at=at,
            label=label,
            reason=IqaItem.Reason.ADDED,
            added_by=self.lead,
            added_at=NOW - dt.timedelta(days=20),
            **judged,
        )

    def propose(self) -> iqa.Proposal:
        return iqa.propose_sample(plan=self.plan, by=self.lead, start=START, end=END, now=NOW)


@pytest.fixture
def world(db) -> World:
    return World()


# (stage, why, decision id, draw, share used, who decided), in the order they are recorded:
# each stage's drawn picks oldest first (3037 and 3038 were made at the same moment), then
# its floor picks by tutor id (the new tutor was made before the doubted one), each the
# tutor's decision with the lowest draw.
PINNED_PICKS = [
    ("evidence", "drawn", 3015, "0.0949142", 10, "old"),
    ("evidence", "drawn", 3035, "0.2842986", 50, "doubted"),
    ("evidence", "drawn", 3011, "0.0302564", 10, "old"),
    ("evidence", "drawn", 3032, "0.2677984", 50, "doubted"),
    ("evidence", "drawn", 3002, "0.0835796", 10, "old"),
    ("evidence", "drawn", 3037, "0.3286623", 50, "new"),
    ("evidence", "drawn", 3038, "0.1532933", 50, "new"),
    ("evidence", "drawn", 3029, "0.0079123", 50, "doubted"),
    ("evidence", "drawn", 3007, "0.0487488", 10, "old"),
    ("evidence", "drawn", 3026, "0.4844730", 50, "doubted"),
    ("evidence", "drawn", 3036, "0.2107037", 50, "doubted"),
    ("evidence", "drawn", 3030, "0.4798643", 50, "doubted"),
    ("evidence", "drawn", 3027, "0.1777357", 50, "doubted"),
    ("evidence", "drawn", 3031, "0.4498991", 50, "doubted"),
    ("evidence", "drawn", 3028, "0.1129447", 50, "doubted"),
    ("sign_off", "drawn", 4008, "0.2763880", 50, "new"),
    ("sign_off", "drawn", 4007, "0.0069197", 50, "doubted"),
    ("review", "floor", 5007, "0.6943262", 50, "new"),
    ("review", "floor", 5003, "0.7589003", 50, "doubted"),
    ("gateway", "drawn", 6003, "0.1277315", 50, "new"),
    ("gateway", "floor", 6002, "0.7738976", 50, "doubted"),
]


def test_the_draw_gives_the_pinned_sample(world):
    proposal = world.propose()
    names = {person.pk: name for name, person in world.people.items()}
    got = [
        (
            p.candidate.stage,
            p.reason,
            p.candidate.decision_id,
            str(p.draw),
            p.percent,
            names[p.candidate.tutor_id],
        )
        for p in proposal.picks
    ]
    assert got == PINNED_PICKS
    assert proposal.raised == {
        world.people["new"].pk: "new",
        world.people["doubted"].pk: "disagreement",
    }
    assert (proposal.considered, proposal.left_out) == (52, 6)
    # Each pick carries its decision as it was made, with the label the sample shows.
    for p in proposal.picks:
        c = p.candidate
        assert (c.apprenticeship_id, c.tutor_id, c.decided_at, c.label) == world.made[
            (c.stage, c.decision_id)
        ]


# The provider's tutors sampled more (two), then per stage (four) the decisions not yet
# sampled, read in chunks by one statement, and what the stage's picks show.
PROPOSE_QUERIES = 10


def test_the_draw_runs_the_same_queries_however_many_decisions(world):
    with CaptureQueriesContext(connection) as few:
        world.propose()
    for k in range(60):
        world.decide(DecisionStage.EVIDENCE, ("old", "new", "doubted")[k % 3], "a1", k)
        world.decide(DecisionStage.REVIEW, ("old", "doubted")[k % 2], "a2", k)
    for k in range(4):
        world.decide(DecisionStage.SIGN_OFF, "new", "a3", 100 + k)
    with CaptureQueriesContext(connection) as many:
        proposal = world.propose()
    assert proposal.considered == 52 + 60 + 60 + 4
    assert (len(few), len(many)) == (PROPOSE_QUERIES, PROPOSE_QUERIES)


def _report_rows(world):
    names = {person.pk: name for name, person in world.people.items()}
    with CaptureQueriesContext(connection) as queries:
        report = selectors.report(world.provider.pk, start=START, end=END)
    rows = {
        (names.get(r.tutor_id, r.tutor), r.stage): (
            r.decisions,
            r.sampled,
            r.judged,
            r.agreed,
            r.actions_open,
        )
        for r in report.rows
    }
    return rows, report, len(queries)


# The sampled decisions grouped by tutor and stage, the decisions made summed from the
# days kept for them, grouped by tutor and stage, and the tutors' names.
REPORT_QUERIES = 3


def test_report_counts_every_stage_in_the_same_queries_however_many_decisions(world):
    """Decisions, sampled (a decision in two plans counts once), judged, agreed and open
    actions per tutor and stage: one answer on both engines, from three grouped queries."""
    world.sampled(world.earlier, DecisionStage.EVIDENCE, world.ids[DecisionStage.EVIDENCE][0])
    world.sampled(
        world.earlier,
        DecisionStage.REVIEW,
        world.ids[DecisionStage.REVIEW][0],
        verdict=IqaItem.Verdict.AGREE,
        days=5,
    )
    world.sampled(
        world.earlier,
        DecisionStage.GATEWAY,
        world.ids[DecisionStage.GATEWAY][1],
        verdict=IqaItem.Verdict.AGREE_ACTION,
        days=5,
    )
    rows, report, queries = _report_rows(world)
    # (decisions, sampled, judged, agreed, actions open). The report covers the provider,
    # so the old tutor's evidence counts the apprentice who started after the plan's
    # cohort; nothing outside the period or at another provider counts.
    assert rows == {
        ("old", "evidence"): (27, 1, 0, 0, 0),
        ("old", "sign_off"): (6, 2, 1, 0, 1),
        ("old", "review"): (2, 1, 1, 1, 0),
        ("old", "gateway"): (1, 0, 0, 0, 0),
        ("doubted", "evidence"): (13, 1, 0, 0, 0),
        ("doubted", "sign_off"): (2, 1, 1, 0, 1),
        ("doubted", "review"): (2, 0, 0, 0, 0),
        ("doubted", "gateway"): (1, 1, 1, 1, 1),
        ("new", "evidence"): (2, 0, 0, 0, 0),
        ("new", "sign_off"): (1, 0, 0, 0, 0),
        ("new", "review"): (2, 0, 0, 0, 0),
        ("new", "gateway"): (1, 0, 0, 0, 0),
        ("lead", "evidence"): (2, 1, 0, 0, 0),
        ("lead", "review"): (1, 0, 0, 0, 0),
    }
    assert (report.decisions, report.sampled, report.judged, report.agreed) == (63, 8, 4, 2)
    assert (report.coverage, report.agreement, report.disagreed, report.actions_open) == (
        13,
        50,
        2,
        3,
    )
    assert queries == REPORT_QUERIES
    # More decisions, and a tutor who had none: the same queries.
    world.people["extra"] = factories.UserFactory(full_name="Extra")
    for stage, apprenticeship, count in [
        (DecisionStage.EVIDENCE, "a1", 3),
        (DecisionStage.SIGN_OFF, "a3", 3),
        (DecisionStage.REVIEW, "a2", 3),
        (DecisionStage.GATEWAY, "later", 1),
    ]:
        for k in range(count):
            world.decide(stage, "extra", apprenticeship, 10 + k)
    world.decide(DecisionStage.EVIDENCE, "old", "a1", 11)
    rows, report, queries = _report_rows(world)
    assert rows[("extra", "evidence")] == (3, 0, 0, 0, 0)
    assert rows[("extra", "gateway")] == (1, 0, 0, 0, 0)
    assert rows[("old", "evidence")] == (28, 1, 0, 0, 0)
    assert report.decisions == 63 + 11
    assert queries == REPORT_QUERIES
