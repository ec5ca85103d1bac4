"""Identity resolution: the contract and a scriptable mock."""

from roomkit.identity.base import IdentityResolver
from roomkit.identity.mock import MockIdentityResolver

__all__ = ["IdentityResolver", "MockIdentityResolver"]
