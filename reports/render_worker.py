"""A worker process that lays out parts of reports (reports.sections starts it).

It reads one job a line on stdin (the part's HTML file, where to write the PDF, the
stored files it may embed) and answers one JSON line on its own stdout: the page count,
the page each anchor falls on and the process's peak memory, or the error. Anything else
printed goes to stderr, so it cannot be mistaken for an answer.
"""

import json
import os
import resource
import sys
from pathlib import Path


def main() -> None:
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from reports import pdf

    for line in sys.stdin:
        job = json.loads(line)
        try:
            files = {key: pdf.EmbeddedFile(**value) for key, value in job["files"].items()}
            rendered = pdf.render_part(Path(job["html"]).read_text(encoding="utf-8"), files)
            Path(job["out"]).write_bytes(rendered.data)
            answer = {"pages": rendered.pages, "anchors": rendered.anchors}
        except Exception as error:  # noqa: BLE001 - reported to the parent, which fails the build
            answer = {"error": f"{type(error).__name__}: {error}"[:300]}
        answer["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
