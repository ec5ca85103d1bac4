"""The page, script and style shipped inside the package (``roomkit_console/static``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["index_html", "static_text"]


@cache
def static_text(name: str) -> str:
    """The text of ``static/<name>`` from the installed package."""
    return resources.files("roomkit_console").joinpath("static", name).read_text(encoding="utf-8")


def index_html() -> str:
    """The console page."""
    return static_text("index.html")
