"""End-point assessment pages: the assessor's record (declaration, sessions, questions,
KSB notes, grades, the confirmed result, resits and retakes), assigning assessors, and the
assessment organisation's exceptional circumstances, appeals and home page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apprenticeship import access as apprenticeship_access
from apprenticeship.access import Action, get_apprenticeship_for
from apprenticeship.models import Role
from config.pagination import paginate
from epa import access
from epa.errors import EpaError
from epa.forms.assessment import (
    AppealDecisionForm,
    AppealForm,
    AssignAssessorForm,
    ConfirmResultForm,
    DeclarationForm,
    ExceptionalCircumstancesForm,
    GradeForm,
    KsbNotesForm,
    QuestionForm,
    ReasonForm,
    SessionForm,
    StartRoundForm,
)
from epa.models import AssessmentSession
from epa.selectors import assessment as selectors
from epa.selectors import lists
from epa.selectors.record import assessment_record
from epa.services import assessment as services
from epa.services import assessors, results
from standards.models import AssessmentMethod


def _record_url(apprenticeship_id: int) -> str:
    return reverse("epa:assessment", args=[apprenticeship_id])


def _cannot_record(request, apprenticeship):
    """A redirect to the record page with the reason, when the viewer may not record."""
    problems = selectors.recording_problems(apprenticeship, request.user)
    if not problems:
        return None
    for problem in problems:
        messages.error(request, problem)
    return redirect(_record_url(apprenticeship.pk))


def _plan_or_404(apprenticeship):
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
        },
    )


# -- assigning -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assessor_assign(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.ASSIGN_ASSESSOR)
    form = AssignAssessorForm(request.POST or None, apprenticeship=apprenticeship)
    if request.method == "POST" and form.is_valid():
        assessor = form.cleaned_data["assessor"]
        try:
            assessors.assign_assessor(
                apprenticeship=apprenticeship, assessor=assessor, by=request.user
            )
        except EpaError as error:
            form.add_error("assessor", str(error))
        else:
            messages.success(request, f"{assessor.full_name} is now the assessor.")
            return redirect(apprenticeship)
    return render(
        request,
        "epa/assessor_assign.html",
        {"apprenticeship": apprenticeship, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessor_remove(request, pk: int):
    membership = access.get_assessor_membership_for(request.user, pk, Action.ASSIGN_ASSESSOR)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessors.remove_assessor(
                membership=membership, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EpaError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(request, f"{membership.user.full_name} is no longer the assessor.")
            return redirect(membership.apprenticeship)
    return render(
        request,
        "epa/assessor_remove.html",
        {"membership": membership, "apprenticeship": membership.apprenticeship, "form": form},
    )


# -- the assessor's declaration --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declaration(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.RECORD_ASSESSMENT)
    if selectors.has_declared(apprenticeship, request.user):
        messages.info(request, "You have already declared that you have no conflict of interest.")
        return redirect(_record_url(apprenticeship.pk))
    form = DeclarationForm(request.POST or None)
    problems = selectors.independence_problems(apprenticeship, request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_no_conflict(apprenticeship=apprenticeship, assessor=request.user)
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you. You can now record the assessment.")
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/declaration_form.html",
        {"apprenticeship": apprenticeship, "form": form, "problems": problems},
    )


# -- sessions and questions ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_record(request, pk: int, method_pk: int, number: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.RECORD_ASSESSMENT)
    plan = _plan_or_404(apprenticeship)
    method = AssessmentMethod.objects.filter(plan=plan, pk=method_pk).first()
    if method is None or not 1 <= number <= method.sessions:
        raise Http404
    refused = _cannot_record(request, apprenticeship)
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


# -- KSB notes and grades --------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ksb_notes(request, pk: int):
    assessment = access.get_method_assessment_for(request.user, pk, Action.RECORD_ASSESSMENT)
    apprenticeship = assessment.round.apprenticeship
    refused = _cannot_record(request, apprenticeship)
    if refused:
        return refused
    loaded = selectors.method_assessment_with_record(assessment.pk)
    form = KsbNotesForm(request.POST or None, method_assessment=loaded)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_ksb_notes(
                method_assessment=assessment, by=request.user, notes=form.notes()
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Notes saved.")
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/ksb_notes_form.html",
        {
            "apprenticeship": apprenticeship,
            "assessment": loaded,
            "method": loaded.method,
            "form": form,
            "fact": _plan_or_404(apprenticeship).fact("methodKsbs"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def method_grade(request, pk: int):
    assessment = access.get_method_assessment_for(request.user, pk, Action.RECORD_ASSESSMENT)
    apprenticeship = assessment.round.apprenticeship
    refused = _cannot_record(request, apprenticeship)
    if refused:
        return refused
    loaded = selectors.method_assessment_with_record(assessment.pk)
    if loaded.is_graded:
        messages.info(request, f"{loaded.method.name} already has its grade for this attempt.")
        return redirect(_record_url(apprenticeship.pk))
    form = GradeForm(request.POST or None, method=loaded.method)
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_method(
                method_assessment=assessment, by=request.user, grade=form.cleaned_data["grade"]
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{loaded.method.name}: graded {form.cleaned_data['grade']}.")
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/method_grade.html",
        {
            "apprenticeship": apprenticeship,
            "assessment": loaded,
            "method": loaded.method,
            "problems": selectors.grading_problems(loaded),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_confirm(request, pk: int):
    round_ = access.get_round_for(request.user, pk, Action.RECORD_ASSESSMENT)
    apprenticeship = round_.apprenticeship
    refused = _cannot_record(request, apprenticeship)
    if refused:
        return refused
    record = assessment_record(apprenticeship, request.user)
    round_record = next(r for r in record.rounds if r.round.pk == round_.pk)
    if round_.is_confirmed:
        messages.info(request, "This result is already confirmed.")
        return redirect(_record_url(apprenticeship.pk))
    result = round_record.result
    form = ConfirmResultForm(request.POST or None, initial={"grade": result.overall})
    if request.method == "POST" and form.is_valid():
        try:
            results.confirm_result(round_=round_, by=request.user, grade=form.cleaned_data["grade"])
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Result confirmed: {form.cleaned_data['grade']}.")
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/result_confirm.html",
        {
            "apprenticeship": apprenticeship,
            "record": record,
            "round_record": round_record,
            "result": result,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_start(request, pk: int):
    apprenticeship = get_apprenticeship_for(request.user, pk, Action.RECORD_ASSESSMENT)
    refused = _cannot_record(request, apprenticeship)
    if refused:
        return refused
    record = assessment_record(apprenticeship, request.user)
    if not record.can_start_round:
        messages.info(request, "There is no failed method to resit or retake.")
        return redirect(_record_url(apprenticeship.pk))
    form = StartRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = results.start_round(
                apprenticeship=apprenticeship, by=request.user, kind=form.cleaned_data["kind"]
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{round_.get_kind_display()} started.")
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/round_start.html",
        {"apprenticeship": apprenticeship, "record": record, "form": form},
    )


# -- the assessment organisation -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def exceptional_circumstances(request, pk: int):
    round_ = access.get_round_for(request.user, pk, Action.RECORD_EXCEPTIONAL_CIRCUMSTANCES)
    apprenticeship = round_.apprenticeship
    plan = _plan_or_404(apprenticeship)
    form = ExceptionalCircumstancesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            results.record_exceptional_circumstances(
                round_=round_, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Exceptional circumstances recorded. This attempt's grade is not capped."
            )
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/exceptional_circumstances_form.html",
        {
            "apprenticeship": apprenticeship,
            "round": round_,
            "plan": plan,
            "cap_fact": plan.fact("resitGradeCap"),
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_record(request, pk: int):
    round_ = access.get_round_for(request.user, pk, Action.RECORD_APPEAL)
    apprenticeship = round_.apprenticeship
    if not round_.is_confirmed:
        raise Http404
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            results.record_appeal(round_=round_, by=request.user, **form.cleaned_data)
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Appeal recorded.")
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/appeal_form.html",
        {"apprenticeship": apprenticeship, "round": round_, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appeal_decide(request, pk: int):
    appeal = access.get_appeal_for(request.user, pk, Action.RECORD_APPEAL)
    apprenticeship = appeal.round.apprenticeship
    plan = _plan_or_404(apprenticeship)
    if not appeal.is_open:
        messages.info(request, "This appeal has already been decided.")
        return redirect(_record_url(apprenticeship.pk))
    form = AppealDecisionForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            results.decide_appeal(
                appeal=appeal,
                by=request.user,
                upheld=data["outcome"] == appeal.Outcome.UPHELD,
                grade_after=data["grade_after"],
                decision=data["decision"],
            )
        except EpaError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Decision recorded.")
            return redirect(_record_url(apprenticeship.pk))
    return render(
        request,
        "epa/appeal_decide.html",
        {"apprenticeship": apprenticeship, "appeal": appeal, "round": appeal.round, "form": form},
    )


@login_required
def epao_home(request):
    """The assessment organisation admin's apprentices past gateway, with their assessor,
    where the assessment has got to and its window."""
    queryset = lists.annotate_epa_list(
        apprenticeship_access.apprenticeships_as(request.user, Role.EPAO_ADMIN).with_people()
    )
    page = paginate(request, queryset)
    return render(
        request,
        "epa/epao_home.html",
        {"page": page, "rows": lists.epa_rows(page.object_list)},
    )
