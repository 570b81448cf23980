from ninja import Router

router = Router(tags=["evidence: requests"])
