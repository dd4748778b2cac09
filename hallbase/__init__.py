"""The lower layer both rooms stand on: settings, hall file, database, shared tables, outbox.

It imports only `attendance_engine` and nothing above it (`attendance`, `kiosk`, `hallkeeper`).
"""
