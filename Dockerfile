# syntax=docker/dockerfile:1
# Image of Coalition Registry: the same one runs web (gunicorn), worker and beat (celery) and the
# migrate step; docker-compose.yml says which. Configuration comes from the environment alone.

# --- Front-end packages from the npm registry: only the files the pages serve go further. ---
FROM python:3.12-slim AS frontend
RUN apt-get update \
    && apt-get install --yes --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- Python packages exactly as locked, in a virtualenv copied whole into the final image. ---
FROM python:3.12-slim AS python-packages
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
# The lock lists every package with its version: --no-deps makes anything missing from it fail
# `pip check` instead of being resolved silently to some other version.
RUN /opt/venv/bin/pip install --no-deps --requirement /tmp/requirements.lock \
    && /opt/venv/bin/pip check

# --- The runtime image. ---
FROM python:3.12-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=coalition.settings
RUN groupadd --system --gid 10001 coalition \
    && useradd --system --uid 10001 --gid coalition --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin coalition
WORKDIR /app
COPY --from=python-packages /opt/venv /opt/venv
# The code stays owned by root: the processes can read it, not change it.
COPY . .
COPY --from=frontend /build/node_modules/htmx.org/dist node_modules/htmx.org/dist
COPY --from=frontend /build/node_modules/world-atlas/countries-110m.json node_modules/world-atlas/countries-110m.json
# Translations and static files are built once here, not at each start. collectstatic needs
# settings that load, not real ones: nothing is connected to during the build.
RUN python -m babel.messages.frontend compile --domain django --directory locale \
    && DEBUG=false SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --no-input --verbosity 0 \
    && mkdir -p var/media var/beat \
    && chown -R coalition:coalition var
# var/media and var/beat are where docker-compose.yml mounts its volumes; a new named volume
# takes the owner of the directory it is mounted on, so the unprivileged user can write there.
USER coalition
EXPOSE 8000
# The same command as docker-compose.yml's web service; --no-control-socket: gunicornc is unused
# and the user's home (/app) is not writable.
CMD ["gunicorn", "coalition.wsgi", "--bind=0.0.0.0:8000", "--workers=3", \
     "--worker-tmp-dir=/dev/shm", "--access-logfile=-", "--no-control-socket"]
