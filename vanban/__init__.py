"""vanban: Vietnamese government decisions, plans and task tables as structured data."""

__version__ = "0.1.0"
