"""A diagnostic for the API throughput bench: the bare DRF view (bench/bare_urls.py) behind the
project's middleware minus the tenant middleware. Between the bare view and the tenant API it
splits the gap into what the generic middleware stack costs and what tenancy and API-key
authentication cost.
"""

from cxsuite.settings import *  # noqa: F403
from cxsuite.settings import API_MIDDLEWARE as PROJECT_API_MIDDLEWARE
from cxsuite.settings import MIDDLEWARE as PROJECT_MIDDLEWARE

assert PROJECT_MIDDLEWARE[0] == "apps.tenants.middleware.CachedTenantMiddleware", PROJECT_MIDDLEWARE
assert PROJECT_API_MIDDLEWARE[0] == PROJECT_MIDDLEWARE[0], PROJECT_API_MIDDLEWARE
MIDDLEWARE = PROJECT_MIDDLEWARE[1:]
API_MIDDLEWARE = PROJECT_API_MIDDLEWARE[1:]  # the stack cxsuite.wsgi serves /api/v1/ with
ROOT_URLCONF = "bench.bare_urls"
