import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxsuite.settings")
django.setup(set_prefix=False)

from cxsuite.lib.wsgi import split_application  # noqa: E402

application = split_application()
