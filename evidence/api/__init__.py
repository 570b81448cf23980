"""The evidence API under /api/evidence/: one router per sub-domain."""

from ninja import Router

from evidence.api.bundles import router as bundles_router
from evidence.api.custody import router as custody_router
from evidence.api.exhibits import router as exhibits_router
from evidence.api.identity import router as identity_router
from evidence.api.requests import router as requests_router

router = Router()
router.add_router("/requests", requests_router)
router.add_router("/requests", identity_router)
router.add_router("/exhibits", exhibits_router)
router.add_router("/custody", custody_router)
router.add_router("/bundles", bundles_router)
