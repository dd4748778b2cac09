"""RS-485 window LED boards, the hall board and Modbus numeric displays."""
