"""Bearer tokens: shown once, stored hashed, revocable, last use recorded."""

import hashlib

from accounts.models import AccessLogEntry, ApiToken
from accounts.services import api_token_create, api_token_revoke


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_valid_token_authenticates_and_records_its_last_use(client, operator):
    issued = api_token_create(user=operator, name="health feed")
    response = client.get("/api/accounts/me", **bearer(issued.plaintext))
    assert response.status_code == 200
    assert response.json()["username"] == "operator"
    assert response.json()["role"] == "operator"
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None


def test_only_a_hash_of_the_secret_is_stored(operator):
    issued = api_token_create(user=operator, name="health feed")
    secret = issued.plaintext.split("_", 2)[2]
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}


def test_a_revoked_token_gets_401(client, operator):
    issued = api_token_create(user=operator, name="health feed")
    api_token_revoke(token=issued.token, by=operator)
    response = client.get("/api/accounts/me", **bearer(issued.plaintext))
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")


def test_a_wrong_secret_with_a_real_prefix_gets_401(client, operator):
    issued = api_token_create(user=operator, name="health feed")
    forged = issued.plaintext[:-4] + "AAAA"
    assert client.get("/api/accounts/me", **bearer(forged)).status_code == 401


def test_garbage_tokens_get_401(client, db):
    for token in ["nonsense", "vcctv_", "vcctv_abc_def", "Basic x"]:
        assert client.get("/api/accounts/me", **bearer(token)).status_code == 401


def test_a_deactivated_users_token_stops_working(client, operator):
    issued = api_token_create(user=operator, name="health feed")
    operator.is_active = False
    operator.save()
    assert client.get("/api/accounts/me", **bearer(issued.plaintext)).status_code == 401


def test_token_created_through_the_api_is_shown_once(client, officer):
    client.force_login(officer)
    response = client.post("/api/accounts/tokens", {"name": "niche rms"}, content_type="application/json")
    assert response.status_code == 201
    plaintext = response.json()["token"]
    assert plaintext.startswith("vcctv_")
    listing = client.get("/api/accounts/tokens").json()
    assert len(listing) == 1 and "token" not in listing[0]
    assert AccessLogEntry.objects.filter(event="token_created", user=officer).count() == 1


def test_token_without_a_name_is_refused_with_a_detail(client, officer):
    client.force_login(officer)
    response = client.post("/api/accounts/tokens", {"name": "  "}, content_type="application/json")
    assert response.status_code == 400
    assert "name" in response.json()["detail"]
    assert ApiToken.objects.count() == 0


def test_malformed_json_gets_a_4xx_detail(client, officer):
    client.force_login(officer)
    response = client.post("/api/accounts/tokens", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_token_page_creates_and_revokes(client, officer):
    client.force_login(officer)
    response = client.post("/accounts/tokens/", {"name": "niche"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=officer)
    assert b"vcctv_" + token.prefix.encode() in response.content
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_name_over_the_limit_is_refused_not_cut_short(cctv_manager):
    import pytest

    from accounts.exceptions import InvalidInput
    from accounts.models import ApiToken
    from accounts.services import api_token_create

    with pytest.raises(InvalidInput, match="101 characters long; the limit is 100"):
        api_token_create(user=cctv_manager, name="x" * 101)
    assert not ApiToken.objects.exists()


def test_a_session_needs_its_csrf_token_for_an_unsafe_api_call(officer):
    from django.test import Client

    from accounts.models import ApiToken

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    refused = client.post("/api/accounts/tokens", {"name": "forged"}, content_type="application/json")
    assert refused.status_code == 403
    assert not ApiToken.objects.exists()

    client.get("/accounts/tokens/")  # a page sets the CSRF cookie, as the browser would get it
    token = client.cookies["csrftoken"].value
    allowed = client.post("/api/accounts/tokens", {"name": "mine"}, content_type="application/json",
                          HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 201
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["mine"]
