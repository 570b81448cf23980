#!/bin/sh
# Container entrypoint for the Vale CCTV image (web, worker and beat).
#
#   WAIT_FOR_DB=1      (default) wait until the database accepts connections
#   DB_WAIT_TIMEOUT=60 how many seconds to wait before giving up
#   RUN_MIGRATIONS=1   run `migrate` and `collectstatic` before the command
#   LOAD_DEMO_DATA=1   run `load_vale_demo` (idempotent) after migrating
#
# Then it execs the command (CMD or the compose `command:`), so that process
# becomes PID 1 and receives the container's stop signals.
set -eu

cd /app

wait_for_db() {
    timeout="${DB_WAIT_TIMEOUT:-60}"
    waited=0
    # Open a real connection through Django's own settings (DATABASE_URL). Note
    # that `manage.py check --database default` is not enough on PostgreSQL:
    # its backend database checks return without ever connecting.
    until output=$(python -c 'import django; django.setup(); from django.db import connection; connection.ensure_connection()' 2>&1); do
        if [ "$waited" -ge "$timeout" ]; then
            echo "entrypoint: database still unreachable after ${timeout}s, giving up. Last error:" >&2
            echo "$output" >&2
            exit 1
        fi
        echo "entrypoint: waiting for the database (${waited}s/${timeout}s)..." >&2
        sleep 2
        waited=$((waited + 2))
    done
    echo "entrypoint: database is reachable." >&2
}

if [ "${WAIT_FOR_DB:-1}" = "1" ]; then
    wait_for_db
fi

if [ "${RUN_MIGRATIONS:-0}" = "1" ]; then
    echo "entrypoint: applying migrations..." >&2
    python manage.py migrate --noinput
    echo "entrypoint: collecting static files..." >&2
    python manage.py collectstatic --noinput
    # The council's release-signing key, made once and kept on its own volume: a new key would
    # not match the one published for recipients to verify bundles with.
    key_file="${EVIDENCE_SIGNING_KEY_FILE:-/app/var/keys/evidence-signing-ed25519.pem}"
    if [ ! -f "$key_file" ]; then
        echo "entrypoint: creating the evidence signing key..." >&2
        python manage.py signing_key_create
    fi
fi

if [ "${LOAD_DEMO_DATA:-0}" = "1" ]; then
    echo "entrypoint: loading the Vale demo estate..." >&2
    python manage.py load_vale_demo
    python manage.py load_vale_incidents
    python manage.py load_vale_evidence
fi

exec "$@"
