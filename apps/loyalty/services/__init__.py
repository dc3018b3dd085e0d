"""Every write of loyalty, by area: program.py (settings, tiers, rewards), ledger.py (the
points ledger and lots), earning.py (what a purchase, visit or bonus earns), vouchers.py,
refunds.py, privacy.py (merge, export, erasure), subscriber.py (the timeline subscriber).
Import from the module that holds the function."""
