from django.urls import path

from epa.views import assessment, assessors, epao, gateway, grading, policies, sessions

app_name = "epa"

urlpatterns = [
    # Gateway
    path("apprenticeships/<int:pk>/gateway/", gateway.gateway, name="gateway"),
    path(
        "apprenticeships/<int:pk>/gateway/english-maths/",
        gateway.english_maths,
        name="gateway-english-maths",
    ),
    path(
        "apprenticeships/<int:pk>/gateway/confirm/<str:party>/",
        gateway.declare,
        name="gateway-declare",
    ),
    path("apprenticeships/<int:pk>/gateway/pass/", gateway.gateway_pass, name="gateway-pass"),
    path(
        "gateway-declarations/<int:pk>/withdraw/",
        gateway.declaration_withdraw,
        name="declaration-withdraw",
    ),
    # The portfolio frozen at gateway
    path("apprenticeships/<int:pk>/frozen-portfolio/", gateway.snapshot, name="snapshot"),
    path(
        "apprenticeships/<int:pk>/frozen-portfolio/evidence/<int:evidence_id>/",
        gateway.snapshot_evidence,
        name="snapshot-evidence",
    ),
    path(
        "apprenticeships/<int:pk>/frozen-portfolio/files/<int:file_id>/",
        gateway.snapshot_file,
        name="snapshot-file",
    ),
    # End-point assessment
    path(
        "apprenticeships/<int:pk>/assessment/",
        assessment.assessment_detail,
        name="assessment",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/assign/",
        assessors.assessor_assign,
        name="assessor-assign",
    ),
    path(
        "assessor-assignments/<int:pk>/remove/",
        assessors.assessor_remove,
        name="assessor-remove",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/declaration/",
        assessors.declaration,
        name="declaration",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/methods/<int:method_pk>/sessions/<int:number>/",
        sessions.session_record,
        name="session-record",
    ),
    path("assessment-sessions/<int:pk>/", sessions.session_detail, name="session-detail"),
    path(
        "assessment-sessions/<int:pk>/questions/",
        sessions.question_add,
        name="question-add",
    ),
    path(
        "assessment-questions/<int:pk>/edit/",
        sessions.question_edit,
        name="question-edit",
    ),
    path("method-assessments/<int:pk>/ksb-notes/", grading.ksb_notes, name="ksb-notes"),
    path("method-assessments/<int:pk>/grade/", grading.method_grade, name="method-grade"),
    path(
        "assessment-rounds/<int:pk>/confirm/",
        grading.result_confirm,
        name="result-confirm",
    ),
    path(
        "apprenticeships/<int:pk>/assessment/resit/",
        grading.round_start,
        name="round-start",
    ),
    path(
        "assessment-rounds/<int:pk>/exceptional-circumstances/",
        epao.exceptional_circumstances,
        name="exceptional-circumstances",
    ),
    path(
        "assessment-rounds/<int:pk>/appeals/new/",
        epao.appeal_record,
        name="appeal-record",
    ),
    path("appeals/<int:pk>/decide/", epao.appeal_decide, name="appeal-decide"),
    path("assessment-organisation/", epao.epao_home, name="epao-home"),
    # Organisations' own policies
    path(
        "providers/<int:pk>/gateway-policy/",
        policies.gateway_policy,
        name="gateway-policy",
    ),
    path(
        "assessment-organisations/<int:pk>/resit-policies/",
        policies.resit_policies,
        name="resit-policies",
    ),
    path(
        "assessment-organisations/<int:pk>/resit-policies/<int:standard_pk>/",
        policies.resit_policy_record,
        name="resit-policy-record",
    ),
]
