"""The comparison: the company list and a project's list side by side."""
