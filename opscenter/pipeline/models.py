"""Customer pipeline models (issue 3)."""
