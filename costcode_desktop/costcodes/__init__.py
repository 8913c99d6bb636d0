"""costcodes."""
