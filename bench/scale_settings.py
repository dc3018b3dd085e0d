"""The project's settings after a deploy that adds one migration for every business (the scale
bench's `bench.scaleapp`)."""

from cxsuite.settings import *  # noqa: F403
from cxsuite.settings import INSTALLED_APPS, TENANT_APPS

TENANT_APPS = [*TENANT_APPS, "bench.scaleapp"]
INSTALLED_APPS = [*INSTALLED_APPS, "bench.scaleapp"]
