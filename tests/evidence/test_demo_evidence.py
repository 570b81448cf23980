"""The demo holds a request in every workflow state, made through the services, with sound chains."""

from accounts.demo import demo_organisations_ensure, demo_people_ensure
from cctv.demo.load import vale_demo_estate_load
from evidence.choices import RequestState
from evidence.demo import vale_demo_evidence_load
from evidence.models import Disclosure, EvidenceRequest
from evidence.verification import chains_verify


def test_demo_requests_cover_every_state_once_and_a_rerun_adds_nothing(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_people_ensure(orgs=demo_organisations_ensure(), password="demo-password-for-tests")
    vale_demo_estate_load(seed=2026)
    first = vale_demo_evidence_load()
    assert (first.requests, first.created) == (len(RequestState.values), len(RequestState.values))
    states = sorted(EvidenceRequest.objects.values_list("state", flat=True))
    assert states == sorted(RequestState.values)
    assert Disclosure.objects.count() == 2  # released and closed both went through a release
    assert all(report.ok for report in chains_verify())
    assert vale_demo_evidence_load().created == 0
    assert EvidenceRequest.objects.count() == len(RequestState.values)
