"""A migration operation that creates several models but rebuilds Django's model state once.

Creating a business runs every tenant migration in a fresh schema. Each `CreateModel` of a
model that points at a busy model (Contact, User) makes Django re-render every model related
to it, so an app of ten such models costs seconds per new business. `CreateModels` adds all
their states first and re-renders the related models once; the tables, constraints and
indexes are created exactly as the `CreateModel` operations inside it would create them.
"""

from __future__ import annotations

from django.db.migrations.operations import CreateModel
from django.db.migrations.operations.base import Operation


class CreateModels(Operation):
    reduces_to_sql = False
    reversible = True

    def __init__(self, operations: list[CreateModel]):
        self.operations = operations

    def deconstruct(self):
        return self.__class__.__qualname__, [self.operations], {}

    def state_forwards(self, app_label, state):
        apps = state.__dict__.pop("apps", None)  # hidden: add_model would reload each time
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        finally:
            if apps is not None:
                state.apps = apps
        if apps is not None:
            state.reload_models(
                [(app_label, operation.name_lower) for operation in self.operations], delay=False
            )

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for operation in self.operations:
            operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for operation in reversed(self.operations):
            operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Create models {', '.join(operation.name for operation in self.operations)}"

    @property
    def migration_name_fragment(self):
        return "_".join(operation.migration_name_fragment for operation in self.operations)[:60]
