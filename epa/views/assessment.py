"""End-point assessment pages, one module per topic: the assessor's record page (here,
with the helpers the other pages share), assigning assessors and the assessor's declaration
(assessors.py), sessions and questions (sessions.py), KSB notes, grades, the result and
resits (grading.py), and the assessment organisation's pages (epao.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action, get_apprenticeship_for
from epa.selectors import assessment as selectors
from epa.selectors.record import assessment_record
from portfolio.wellbeing.access import agreed_for_assessment


def record_url(apprenticeship_id: int) -> str:
    return reverse("epa:assessment", args=[apprenticeship_id])


def cannot_record(request, apprenticeship):
    """A redirect to the record page with the reason, when the viewer may not record."""
    problems = selectors.recording_problems(apprenticeship, request.user)
    if not problems:
        return None
    for problem in problems:
        messages.error(request, problem)
    return redirect(record_url(apprenticeship.pk))


def plan_or_404(apprenticeship):
    plan = selectors.plan_of(apprenticeship.standard_version)
    if plan is None:
        raise Http404
    return plan


# -- the record ------------------------------------------------------------------------


@login_required
def assessment_detail(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.VIEW_ASSESSMENT)
    return render(
        request,
        "epa/assessment_detail.html",
        {
            "apprenticeship": apprenticeship,
            "record": assessment_record(apprenticeship, request.user),
            "can": apprenticeship_access.permissions(apprenticeship.viewer_roles),
            "adjustments": agreed_for_assessment(apprenticeship).select_related("decided_by"),
        },
    )
