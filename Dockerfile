# syntax=docker/dockerfile:1
#
# Vale CCTV - Django 5.2 + GeoDjango application image.
# One image runs every Python role: web (gunicorn), Celery worker and Celery beat;
# docker-compose.yml picks the role by overriding the command.

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    PYTHONPATH=/app \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/var/static
# PYTHONPATH=/app: the project is also pip-installed into site-packages, but
# config/settings.py derives BASE_DIR (templates/, static/, var/) from its own
# file location, and the site-packages copy has no templates or static files.
# python manage.py and gunicorn put the working directory first on sys.path
# anyway; the `celery` console script does not, so without this the worker and
# beat would load settings from site-packages.

# Runtime system libraries only (no compilers, no -dev headers):
#   gdal-bin   -> pulls libgdal32 plus GEOS (libgeos-c1v5) and PROJ (libproj25),
#                 which GeoDjango loads through ctypes (found via ldconfig).
#   libpq5     -> PostgreSQL client library used by psycopg.
#   libpango-1.0-0 libpangoft2-1.0-0 -> for WeasyPrint PDF rendering later on.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gdal-bin \
        libgdal32 \
        libpq5 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged account the application runs as.
RUN groupadd --system vale \
    && useradd --system --gid vale --create-home --home-dir /home/vale --shell /usr/sbin/nologin vale

WORKDIR /app

# --- Dependency layer (cached until pyproject.toml changes) -----------------
# `pip install .` needs the package directories (accounts, cctv, evidence, maps,
# config) to exist, so running it with only pyproject.toml copied would fail, and
# copying the sources first would invalidate this layer on every code change.
# Instead, read [project].dependencies and [build-system].requires straight from
# pyproject.toml with the standard-library tomllib and install just those. This
# layer depends on pyproject.toml alone, so a code-only change reuses it.
# The build backend is installed with --upgrade so we get the newest setuptools
# allowed, as pip's build isolation would, rather than the older copy that ships
# in the base image (which may not understand newer pyproject.toml metadata).
COPY pyproject.toml ./
RUN python -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(d.get('build-system', {}).get('requires', ['setuptools>=61', 'wheel'])))" > /tmp/build-requirements.txt \
    && python -c "import tomllib; d = tomllib.load(open('pyproject.toml', 'rb')); print('\n'.join(d['project'].get('dependencies', [])))" > /tmp/requirements.txt \
    && echo wheel >> /tmp/build-requirements.txt \
    && pip install --upgrade -r /tmp/build-requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm -f /tmp/build-requirements.txt /tmp/requirements.txt

# --- Project layer ----------------------------------------------------------
# Now copy the source (see .dockerignore) and install the project itself. The
# dependencies are already satisfied, so this only builds and installs the
# project's own packages; the build backend was installed above, so build
# isolation (a fresh download of setuptools) is not needed. A plain
# `pip install .` (not --no-deps) still installs anything the step above missed,
# e.g. if dependencies were ever declared dynamic.
#
# Only /app/var (media, static, beat schedule) is writable by the app user; the
# code stays root-owned and read-only for it. Creating the directories here with
# vale ownership also means fresh named volumes mounted on them start out owned
# by vale (Docker copies the image directory's ownership into an empty volume).
COPY . .
RUN pip install --no-build-isolation . \
    && rm -rf build ./*.egg-info \
    && chmod 0755 /app/docker/entrypoint.sh \
    && mkdir -p /app/var/media /app/var/static /app/var/keys /app/var/tmp \
    && chown -R vale:vale /app/var

USER vale

EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]

# --timeout 120: gunicorn's sync workers handle a whole request, including
# reading the request body, inside the worker timeout. Large evidence uploads
# (CCTV footage exports) over slow links easily exceed the default 30 s,
# and the worker would be killed mid-upload.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
