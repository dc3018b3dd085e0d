"""Loyalty's share of merge, privacy export and erasure."""


def loyalty_merge(*, survivor, others) -> None:
    raise NotImplementedError


def loyalty_export(contact):
    return {}


def loyalty_erase(contact) -> None:
    return None
