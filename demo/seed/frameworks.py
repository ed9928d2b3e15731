"""The NCCMH Peer Support Worker Competence Framework's structure, from its fixture."""

from standards.services import frameworks


def seed(context) -> None:
    data = frameworks.load_framework_file(frameworks.NCCMH_FIXTURE)
    context.frameworks = {"nccmh": frameworks.import_framework(data=data)}
