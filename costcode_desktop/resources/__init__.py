"""Files the application loads at run time (icons), found through importlib.resources."""
