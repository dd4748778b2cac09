"""Pieces every device folder shares: link health, background workers, serial lines, ptys."""
