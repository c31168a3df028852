"""specgen: curated OpenAPI specs in, typed and tested Python client packages out."""

__version__ = "0.1.0"
