import pytest

from tests.feedback.helpers import Deliverer


@pytest.fixture
def deliver(tenant) -> Deliverer:
    return Deliverer()
