# The production image: gunicorn for the web, the same image for Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    APP_VAR_DIR=/data

# WeasyPrint needs Pango; fonts so PDFs render the same everywhere.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The packages come from the lock file (made by bin/lock): exact versions, hash-checked.
# The project itself is not pip-installed: the code runs from /app.
COPY requirements/deploy.txt requirements/deploy.txt
RUN pip install --upgrade pip && pip install --require-hashes -r requirements/deploy.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only-$(python -c 'print("x" * 60)') \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --no-input \
    && useradd --system --uid 1000 --home /app app \
    && mkdir -p /data/media \
    && chown -R app /data

ENV STATIC_ROOT=/app/staticfiles
USER app
EXPOSE 8000
ENTRYPOINT ["bin/docker-entrypoint"]
CMD ["web"]
