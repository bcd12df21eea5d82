"""The REST API's root: gathers each app's router under /api/v1."""

from ninja import NinjaAPI

from kakehashi.admissions.api import router as admissions_router
from kakehashi.api import errors
from kakehashi.api.auth import BearerToken
from kakehashi.catalog.api import router as catalog_router
from kakehashi.network.api import router as network_router

api = NinjaAPI(
    title="Kakehashi API",
    version="1",
    description="Centers, the catalog and admissions of a network of training centers.",
    urls_namespace="api-v1",
    auth=BearerToken(),
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", network_router)
api.add_router("/", catalog_router)
api.add_router("/", admissions_router)
