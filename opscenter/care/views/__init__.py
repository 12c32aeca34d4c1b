"""Care screens, one module per sub-domain."""
