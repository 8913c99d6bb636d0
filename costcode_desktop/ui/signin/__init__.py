"""Signing in, switching company and signing out."""
