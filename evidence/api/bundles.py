from ninja import Router

router = Router(tags=["evidence: bundles"])
