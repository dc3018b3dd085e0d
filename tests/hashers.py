"""The test suite's password hasher: MD5 for speed, and a line per password check in the file
that CXSUITE_PASSWORD_CHECKS names, so a test can count checks made by other processes."""

import os

from django.contrib.auth.hashers import MD5PasswordHasher


class CountingMD5PasswordHasher(MD5PasswordHasher):
    def verify(self, password: str, encoded: str) -> bool:
        path = os.environ.get("CXSUITE_PASSWORD_CHECKS")
        if path:
            # One short append per check: lines from concurrent processes never interleave.
            with open(path, "a") as log:
                log.write(f"{os.getpid()}\n")
        return super().verify(password, encoded)
