"""Provider contracts: the classes that talk to external APIs on behalf of channels."""
