"""What other apps plug into journeys (see cxsuite/lib/registry.py): their step types (loyalty
grants points or a voucher, the partner platform calls a webhook) and what a step does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxsuite.lib.registry import Registry

if TYPE_CHECKING:
    from .services.engine import StepContext


@dataclass(frozen=True)
class StepType:
    """A kind of step. `run(ctx)` does the step's work for one enrollment inside the engine's
    transaction and returns a `StepResult`; `clean(config) -> config` checks what the builder
    saved (raising ValidationError naming the field); `label` is what the builder shows.
    `run_many(contexts)`, when given, runs the step for everyone at it in one go (the same
    step of the same version) and returns one result per context, in order; the engine falls
    back to `run` one by one when it raises. `fields` names the builder's inputs the type
    uses."""

    key: str
    label: Any
    run: Callable[[StepContext], Any]
    clean: Callable[[dict], dict] = lambda config: config
    branches: bool = False  # has an "else" path (a branch, a wait for an event)
    fields: tuple[str, ...] = field(default_factory=tuple)
    run_many: Callable[[list[StepContext]], Sequence[Any]] | None = None


step_types: Registry[StepType] = Registry(
    "journeys.step_types",
    "Keyed by step type (`send`, `loyalty.points`). A `StepType` runs one step of one "
    "enrollment inside the engine's transaction and says where the contact goes next and "
    "when; its side effects are keyed by (enrollment, step number) so they happen once.",
)
