"""Deprecated: this module is now :mod:`loadwatch.rules.evaluators`.

The old name goes in the next release.
"""

from loadwatch._moved import forward

__getattr__ = forward(__name__)
