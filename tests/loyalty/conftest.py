import pytest

from tests.loyalty.helpers import Deliverer


@pytest.fixture
def deliver(tenant) -> Deliverer:
    return Deliverer()
