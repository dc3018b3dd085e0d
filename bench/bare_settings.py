"""Settings of the bare side of the API throughput bench: the same project, no tenancy.

No tenant middleware and nothing else a bare DRF view does not need; the URL conf holds a
single DRF view (bench/bare_urls.py). It never touches the database.
"""

from cxsuite.settings import *  # noqa: F403

MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
API_MIDDLEWARE = MIDDLEWARE  # cxsuite.wsgi serves /api/v1/ with this stack
ROOT_URLCONF = "bench.bare_urls"
