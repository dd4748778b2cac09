"""The hall's attendance rules as pure functions."""
