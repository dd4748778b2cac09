"""Serial (RS-232/RS-485) punch readers: line framing, pyserial transport, adapter, simulator."""
