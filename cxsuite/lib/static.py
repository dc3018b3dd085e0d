"""How static files are stored: hashed names and gzipped copies written by `collectstatic`, so
WhiteNoise serves them compressed with a year-long, immutable cache; a new release changes the
names, never the cached bytes."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """The manifest storage, except that a file it has no hashed name for (no `collectstatic`
    yet: a test run, a bench, a first `runserver`) keeps its plain name and is served from
    the app directories, instead of failing the page."""

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            return name
