"""What every command needs: the catalogue, built from the global options."""

from __future__ import annotations

import argparse

from roomkit.plugins.catalogue import Catalogue

__all__ = ["load_catalogue"]


def load_catalogue(args: argparse.Namespace, *, strict: bool | None = None) -> Catalogue:
    """Discover plugins honouring ``--block``, ``--strict`` and ``--no-autoload``."""
    return Catalogue.load(
        autoload=getattr(args, "autoload", None),
        block=getattr(args, "block", None) or (),
        strict=strict if strict is not None else getattr(args, "strict", None),
    )
