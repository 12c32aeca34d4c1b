"""opscenter — 运营中心: operations management for service organizations in China."""

__version__ = "0.1.0"
