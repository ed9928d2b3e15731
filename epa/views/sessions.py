"""Recording the sessions of a method and the questions asked in each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action, get_apprenticeship_for
from epa import access
from epa.errors import EpaError
from epa.forms.assessment import QuestionForm, SessionForm
from epa.models import AssessmentSession
from epa.selectors import assessment as selectors
from epa.services import assessment as services
from epa.views.assessment import cannot_record, plan_or_404
from standards.models import AssessmentMethod


@login_required
@require_http_methods(["GET", "POST"])
def session_record(request, pk: int, method_pk: int, number: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.RECORD_ASSESSMENT)
    plan = plan_or_404(apprenticeship)
    method = AssessmentMethod.objects.select_related("plan").filter(plan=plan, pk=method_pk).first()
    if method is None or not 1 <= number <= method.sessions:
        raise Http404
    refused = cannot_record(request, apprenticeship)
    if refused:
        return refused
    current = selectors.latest_round(apprenticeship)
    existing = (
        AssessmentSession.objects.filter(
            method_assessment__round=current, method_assessment__method=method, number=number
        ).first()
        if current
        else None
    )
    initial = (
        {
            "held_on": existing.held_on,
            "duration_minutes": existing.duration_minutes,
            "mode": existing.mode,
        }
        if existing
        else {}
    )
    form = SessionForm(request.POST or None, initial=initial, method=method, number=number)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.record_session(
                apprenticeship=apprenticeship,
                method=method,
                number=number,
                by=request.user,
                **form.cleaned_data,
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Session {number} saved.")
            return redirect("epa:session-detail", pk=session.pk)
    return render(
        request,
        "epa/session_form.html",
        {
            "apprenticeship": apprenticeship,
            "plan": plan,
            "method": method,
            "number": number,
            "form": form,
            "existing": existing,
        },
    )


def _session_page(request, session: AssessmentSession, form: QuestionForm | None = None):
    apprenticeship = session.method_assessment.round.apprenticeship
    method = session.method_assessment.method
    assessment = session.method_assessment
    can_record = (
        apprenticeship_access.is_allowed(apprenticeship.viewer_roles, Action.RECORD_ASSESSMENT)
        and not assessment.is_graded
        and not assessment.round.is_confirmed
        and not selectors.recording_problems(apprenticeship, request.user)
    )
    questions = list(session.questions.order_by("number"))
    if can_record and form is None:
        form = QuestionForm(method=method)
    return render(
        request,
        "epa/session_detail.html",
        {
            "apprenticeship": apprenticeship,
            "session": session,
            "assessment": assessment,
            "method": method,
            "questions": questions,
            "themes": [(t, sum(q.theme == t for q in questions)) for t in method.themes],
            "form": form if can_record else None,
            "can_record": can_record,
        },
    )


@login_required
def session_detail(request, pk: int):
    session = access.get_session_for(request.user, pk, Action.VIEW_ASSESSMENT)
    return _session_page(request, session)


@login_required
@require_POST
def question_add(request, pk: int):
    session = access.get_session_for(request.user, pk, Action.RECORD_ASSESSMENT)
    method = session.method_assessment.method
    form = QuestionForm(request.POST, method=method)
    if form.is_valid():
        try:
            question = services.add_question(
                session=session,
                by=request.user,
                question=form.cleaned_data["question"],
                answer_notes=form.cleaned_data["answer_notes"],
                theme=form.cleaned_data.get("theme", ""),
            )
        except EpaError as error:
            messages.error(request, str(error))
            return redirect("epa:session-detail", pk=session.pk)
        messages.success(request, f"Question {question.number} saved.")
        return redirect("epa:session-detail", pk=session.pk)
    return _session_page(request, session, form)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int):
    question = access.get_question_for(request.user, pk, Action.RECORD_ASSESSMENT)
    session = question.session
    method = session.method_assessment.method
    form = QuestionForm(
        request.POST or None,
        method=method,
        initial={
            "question": question.question,
            "answer_notes": question.answer_notes,
            "theme": question.theme,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_question(
                question=question,
                by=request.user,
                text=form.cleaned_data["question"],
                answer_notes=form.cleaned_data["answer_notes"],
                theme=form.cleaned_data.get("theme", ""),
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Question {question.number} saved.")
            return redirect("epa:session-detail", pk=session.pk)
    return render(
        request,
        "epa/question_edit.html",
        {
            "apprenticeship": session.method_assessment.round.apprenticeship,
            "question": question,
            "session": session,
            "method": method,
            "form": form,
        },
    )
