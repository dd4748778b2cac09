"""ESC/POS ticket printer: rendering, real-time status, TCP/serial links, simulator."""
