"""The scheme statement page (/estate/scheme/): the council's manager writes it; others read it or not at all."""

import pytest

from accounts.exceptions import InvalidInput
from cctv.models import Scheme
from cctv.models.scheme import OGL_WORDING
from cctv.services.scheme import scheme_save

pytestmark = pytest.mark.django_db
URL = "/estate/scheme/"
STATEMENT = {
    "name": "Vale public-space CCTV", "statement": "Why we have cameras.", "controller_contact": "dpo@vale.example",
    "sar_instructions": "Write to us.", "open_data_licence": OGL_WORDING, "published": "on",
    "sar_intake_enabled": "on",
}


def test_the_manager_writes_the_first_statement_and_publishes_it(client, council, cctv_manager):
    client.force_login(cctv_manager)
    page = client.get(URL).content.decode()
    assert "There is no statement yet." in page and OGL_WORDING in page
    response = client.post(URL, STATEMENT)
    assert response.status_code == 302
    scheme = Scheme.objects.get(owner=council)
    assert (scheme.published, scheme.sar_intake_enabled, scheme.updated_by) == (True, True, cctv_manager)
    assert scheme.statement == "Why we have cameras."


def test_the_manager_changes_the_statement_and_can_unpublish(client, council, scheme, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post(URL, {**STATEMENT, "statement": "New words.", "published": ""}, follow=True)
    assert "It is not published" in response.content.decode()
    scheme.refresh_from_db()
    assert (scheme.statement, scheme.published) == ("New words.", False)
    assert Scheme.objects.count() == 1


def test_a_blank_required_field_is_refused_and_nothing_saved(client, council, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post(URL, {**STATEMENT, "statement": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Scheme.objects.exists()


def test_the_service_refuses_an_empty_field_without_the_form(council, cctv_manager):
    with pytest.raises(InvalidInput, match="controller_contact: This field cannot be blank."):
        scheme_save(owner=council, by=cctv_manager, name="x", statement="y", controller_contact=" ",
                    sar_instructions="z")
    with pytest.raises(InvalidInput, match="Unknown scheme fields: updated_at"):
        scheme_save(owner=council, by=cctv_manager, updated_at=None)
    assert not Scheme.objects.exists()


def test_a_scheme_belongs_to_a_council(contractor, admin_user):
    with pytest.raises(InvalidInput, match="is not a council"):
        scheme_save(owner=contractor, by=admin_user, name="x", statement="y", controller_contact="z",
                    sar_instructions="w")


@pytest.mark.parametrize("role", ["og_member", "auditor"])
def test_council_staff_read_it_but_only_the_manager_changes_it(client, request, council, scheme, role):
    client.force_login(request.getfixturevalue(role))
    page = client.get(URL)
    assert page.status_code == 200 and "may read this statement but not change it" in page.content.decode()
    assert client.post(URL, {**STATEMENT, "statement": "Hijacked."}).status_code == 403
    scheme.refresh_from_db()
    assert scheme.statement == "Cameras keep the town centres safe."


def test_the_contractor_chooses_a_council_it_works_for_and_reads_it(client, council, scheme, operator, unpublished):
    client.force_login(operator)
    chooser = client.get(URL).content.decode()
    assert f'href="?owner={council.pk}"' in chooser
    assert f'href="?owner={unpublished[0].pk}"' not in chooser
    assert client.get(f"{URL}?owner={council.pk}").status_code == 200
    assert client.post(f"{URL}?owner={council.pk}", STATEMENT).status_code == 403
    assert client.get(f"{URL}?owner={unpublished[0].pk}").status_code == 404


def test_police_have_no_scheme_page(client, scheme, officer):
    client.force_login(officer)
    assert client.get(URL).status_code == 403


def test_another_councils_manager_finds_nothing(client, council, scheme, other_manager):
    client.force_login(other_manager)
    assert client.get(f"{URL}?owner={council.pk}").status_code == 404
    assert client.post(f"{URL}?owner={council.pk}", STATEMENT).status_code == 404
    assert client.get(f"{URL}?owner=not-a-number").status_code == 404


def test_an_administrator_edits_any_councils_statement(client, council, scheme, admin_user):
    client.force_login(admin_user)
    assert f'href="?owner={council.pk}"' in client.get(URL).content.decode()
    assert client.post(f"{URL}?owner={council.pk}", {**STATEMENT, "name": "Renamed"}).status_code == 302
    assert Scheme.objects.get(owner=council).name == "Renamed"


def test_signed_out_visitors_are_sent_to_sign_in(client, scheme):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_post_that_names_no_council_saves_nothing(client, scheme, operator, admin_user):
    client.force_login(operator)
    assert client.post(URL, STATEMENT).status_code == 403
    client.force_login(admin_user)
    assert client.post(URL, STATEMENT).status_code == 400
    assert Scheme.objects.get().statement == "Cameras keep the town centres safe."
