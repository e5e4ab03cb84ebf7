"""The ``lokos`` command: the second front door beside the API, calling the same domain services."""
