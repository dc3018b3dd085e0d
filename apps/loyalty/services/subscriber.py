"""The timeline subscriber."""


def loyalty_on_events(events) -> None:
    return None
