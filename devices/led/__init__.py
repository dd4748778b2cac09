"""RS-485 window LED boards and the hall board."""
