from ninja import Router

router = Router(tags=["faults"])
