"""Shared fixtures: the partnership in miniature, and a real Celery worker.

The people (the Alice/Bob/Charlie idea at council scale): a council and the contractor and
force it shares its estate with, and a second force that is a stranger to it.
"""

import pytest

from accounts.choices import OrganisationKind, Role
from tests.accounts.factories import PASSWORD, OrganisationFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def custody_truncate_allowed_for_test_flush():
    """Let pytest-django's flush between transactional tests empty the custody table.

    The custody log refuses TRUNCATE (evidence migration 0002) unless the transaction sets
    vale.custody_maintenance; the flush is the one place tests need it. UPDATE and DELETE
    stay refused: tests that tamper must disable the trigger, as an attacker would have to.
    """
    from django.db.backends.base.operations import BaseDatabaseOperations

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, ["SET LOCAL vale.custody_maintenance = 'on'", *sql_list])

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """PBKDF2's deliberate slowness costs seconds per test and proves nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def second_factor_not_required(request, settings):
    """Most tests sign in with client.force_login, which gives no second factor.

    Tests of the two-factor rule itself, and browser tests of sign-in, carry the
    `two_factor` marker and run with the production setting.
    """
    if request.node.get_closest_marker("two_factor") is None:
        settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture
def council(db):
    return OrganisationFactory(name="Vale of Glamorgan Council", kind=OrganisationKind.COUNCIL)


@pytest.fixture
def contractor(db, council):
    org = OrganisationFactory(name="Cardiff Council CCTV Control Room", kind=OrganisationKind.CONTRACTOR)
    council.shares_with.add(org)
    return org


@pytest.fixture
def force(db, council):
    org = OrganisationFactory(name="South Wales Police", kind=OrganisationKind.POLICE)
    council.shares_with.add(org)
    return org


@pytest.fixture
def other_force(db):
    return OrganisationFactory(name="Gwent Police", kind=OrganisationKind.POLICE)


@pytest.fixture
def cctv_manager(council):
    return UserFactory(username="manager", role=Role.CCTV_MANAGER, organisation=council)


@pytest.fixture
def operator(contractor):
    return UserFactory(username="operator", role=Role.OPERATOR, organisation=contractor)


@pytest.fixture
def og_member(council):
    return UserFactory(username="og", role=Role.OG_MEMBER, organisation=council)


@pytest.fixture
def officer(force):
    return UserFactory(username="officer", role=Role.POLICE_REQUESTER, organisation=force)


@pytest.fixture
def officer_other_force(other_force):
    return UserFactory(username="officer.gwent", role=Role.POLICE_REQUESTER, organisation=other_force)


@pytest.fixture
def engineer(contractor):
    return UserFactory(username="engineer", role=Role.ENGINEER, organisation=contractor)


@pytest.fixture
def auditor(council):
    return UserFactory(username="auditor", role=Role.AUDITOR, organisation=council)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role=Role.ADMIN, organisation=None, is_staff=True, is_superuser=True)


@pytest.fixture
def people(cctv_manager, operator, og_member, officer, officer_other_force, engineer, auditor, admin_user):
    """Every role, keyed by role value (the second force's officer under 'police_other')."""
    return {
        Role.CCTV_MANAGER: cctv_manager,
        Role.OPERATOR: operator,
        Role.OG_MEMBER: og_member,
        Role.POLICE_REQUESTER: officer,
        "police_other": officer_other_force,
        Role.ENGINEER: engineer,
        Role.AUDITOR: auditor,
        Role.ADMIN: admin_user,
    }


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(scope="session")
def celery_worker_session():
    """A real Celery worker, in a thread, consuming from the real Redis broker.

    Tests that use it must be transactional (django_db(transaction=True)) so the worker's
    own database connection sees what the test wrote.
    """
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the start-up check)
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=True, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def celery_worker(celery_worker_session, transactional_db):
    return celery_worker_session
