"""Refreshing projects: the confirmations, the run's progress and its outcome."""
