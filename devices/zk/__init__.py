"""ZKTeco terminals over the binary protocol (TCP/UDP port 4370)."""
