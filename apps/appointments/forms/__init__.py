"""HTML input validation for the appointments pages, one module per area."""
