"""The project's settings with django-tenants' stock TenantMainMiddleware in place of the cached
one: it looks the host up in the database on every request, which shows what the cache saves.
"""

from cxsuite.settings import *  # noqa: F403
from cxsuite.settings import API_MIDDLEWARE as PROJECT_API_MIDDLEWARE
from cxsuite.settings import MIDDLEWARE as PROJECT_MIDDLEWARE

STOCK = "django_tenants.middleware.main.TenantMainMiddleware"
MIDDLEWARE = [STOCK, *PROJECT_MIDDLEWARE[1:]]
API_MIDDLEWARE = [STOCK, *PROJECT_API_MIDDLEWARE[1:]]  # cxsuite.wsgi serves /api/v1/ with it

# the bench swaps the first middleware: make sure it is the tenant one it means to replace
assert PROJECT_MIDDLEWARE[0] == "apps.tenants.middleware.CachedTenantMiddleware", PROJECT_MIDDLEWARE
assert PROJECT_API_MIDDLEWARE[0] == PROJECT_MIDDLEWARE[0], PROJECT_API_MIDDLEWARE
