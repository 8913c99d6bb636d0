"""Shared pieces of every screen: the worker, theme, banner, sizing, icons, table helpers."""
