"""Production settings pass Django's deployment checks; bad values stop start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    scrubbed = {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in scrubbed}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_deploy_checks_are_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        DEBUG="false", SECRET_KEY="k" * 20 + "-production-like-secret-0123456789-abcdefghij",
                        ALLOWED_HOSTS="cctv.valeofglamorgan.gov.uk")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_is_refused_by_name():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_a_non_postgis_database_url_is_refused():
    result = run_manage("check", DEBUG="true", DATABASE_URL="sqlite:///tmp/x.db")
    assert result.returncode != 0
    assert "postgis://" in result.stderr


def test_the_gdal_warning_is_silenced_only_with_an_integer_srid_allow_list(settings):
    from config.checks import spatial_reference_allow_list

    assert spatial_reference_allow_list(None) == []
    settings.ALLOWED_INPUT_SRIDS = (4326, "+proj=longlat +init=/etc/passwd")
    assert [error.id for error in spatial_reference_allow_list(None)] == ["vale.E001"]
