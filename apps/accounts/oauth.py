"""OAuth 2.0 for partner apps (django-oauth-toolkit): the scopes it offers are the API's."""

from __future__ import annotations

from oauth2_provider.scopes import BaseScopes

from .scopes import READ, all_scopes


class ScopesBackend(BaseScopes):
    """Every scope of the API (`scopes.py`), read from its routes; `read` when none is asked."""

    def get_all_scopes(self):
        return {scope: scope for scope in all_scopes()}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return all_scopes()

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return [READ]
