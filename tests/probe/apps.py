import os

from django.apps import AppConfig


class ProbeConfig(AppConfig):
    name = "tests.probe"
    label = "probe"

    def ready(self) -> None:
        from apps.scheduling.registries import due_work_handlers

        from .handlers import probe_again, probe_fail, probe_hit

        due_work_handlers.register("probe.hit", probe_hit)
        due_work_handlers.register("probe.fail", probe_fail)
        due_work_handlers.register("probe.again", probe_again)
        # Only in the worker processes a test starts for them (the test process registers
        # them for the length of a test): with a subscriber, every event would be published.
        if os.environ.get("CXSUITE_PROBE_SUBSCRIBERS"):
            from apps.contacts.registries import timeline_subscribers

            from .subscribers import probe_flaky, probe_steady

            timeline_subscribers.register("probe.steady", probe_steady)
            timeline_subscribers.register("probe.flaky", probe_flaky)
