from django.urls import path

from epa.views import gateway

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
]
