from django.urls import path

from epa.views import assessment

app_name = "epa"

urlpatterns = [
    # Gateway
    # End-point assessment
    path(
        "apprenticeships/<int:pk>/assessment/",
        assessment.assessment_detail,
        name="assessment",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/assign/",
        assessment.assessor_assign,
        name="assessor-assign",
    ),
    path(
        "assessor-assignments/<int:pk>/remove/",
        assessment.assessor_remove,
        name="assessor-remove",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/declaration/",
        assessment.declaration,
        name="declaration",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/methods/<int:method_pk>/sessions/<int:number>/",
        assessment.session_record,
        name="session-record",
    ),
    path("assessment-sessions/<int:pk>/", assessment.session_detail, name="session-detail"),
    path(
        "assessment-sessions/<int:pk>/questions/",
        assessment.question_add,
        name="question-add",
    ),
    path(
        "assessment-questions/<int:pk>/edit/",
        assessment.question_edit,
        name="question-edit",
    ),
    path("method-assessments/<int:pk>/ksb-notes/", assessment.ksb_notes, name="ksb-notes"),
    path("method-assessments/<int:pk>/grade/", assessment.method_grade, name="method-grade"),
    path(
        "assessment-rounds/<int:pk>/confirm/",
        assessment.result_confirm,
        name="result-confirm",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/resit/",
        assessment.round_start,
        name="round-start",
    ),
    path(
        "assessment-rounds/<int:pk>/exceptional-circumstances/",
        assessment.exceptional_circumstances,
        name="exceptional-circumstances",
    ),
    path(
        "assessment-rounds/<int:pk>/appeals/new/",
        assessment.appeal_record,
        name="appeal-record",
    ),
    path("appeals/<int:pk>/decide/", assessment.appeal_decide, name="appeal-decide"),
    path("assessment-organisation/", assessment.epao_home, name="epao-home"),
]
