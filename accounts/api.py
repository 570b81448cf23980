from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from accounts.models import ApiToken
from accounts.permissions import authorize
from accounts.schemas import ApiTokenIn, ApiTokenIssuedOut, ApiTokenOut, MeOut
from accounts.selectors import api_tokens_visible_to
from accounts.services import api_token_create, api_token_revoke

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, summary="The signed-in user")
def me(request: HttpRequest):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "organisation": user.organisation,
    }


@router.get("/tokens", response=list[ApiTokenOut], summary="My API tokens")
def api_token_list(request: HttpRequest):
    return api_tokens_visible_to(request.auth).filter(user=request.auth)


@router.post("/tokens", response={201: ApiTokenIssuedOut}, summary="Create an API token (shown once)")
def api_token_create_endpoint(request: HttpRequest, payload: ApiTokenIn):
    authorize(request.auth, "add", ApiToken)
    issued = api_token_create(user=request.auth, name=payload.name)
    return Status(201, {**ApiTokenOut.from_orm(issued.token).dict(), "token": issued.plaintext})


@router.post("/tokens/{token_id}/revoke", response=ApiTokenOut, summary="Revoke an API token")
def api_token_revoke_endpoint(request: HttpRequest, token_id: int):
    token = get_object_or_404(api_tokens_visible_to(request.auth), pk=token_id)
    authorize(request.auth, "revoke", token)
    return api_token_revoke(token=token, by=request.auth)
