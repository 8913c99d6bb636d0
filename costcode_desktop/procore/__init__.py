"""procore."""
