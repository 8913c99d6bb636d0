"""The projects list: which projects are out of date."""
