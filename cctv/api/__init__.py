"""The estate's API: one router per sub-domain, mounted on config.api under /api/."""

from ninja import Router

from cctv.api.cameras import router as cameras_router
from cctv.api.faults import router as faults_router
from cctv.api.health import router as health_router
from cctv.api.imports import router as imports_router
from cctv.api.network import router as network_router

router = Router()
router.add_router("/cameras", cameras_router)
router.add_router("/network", network_router)
router.add_router("/faults", faults_router)
router.add_router("/estate", imports_router)

# The monitoring software posts to /api/health/events; mounted separately in config.api.
health = health_router
