"""The refresh history window."""
