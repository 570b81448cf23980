"""Server-rendered estate pages, one module per sub-domain."""
