"""The dashboard keeps no tables of its own: it reads through the other apps' selectors."""
