"""The hall's queue (排队叫号): tickets, windows, calling, transfers, appointments, ratings,
statistics and the event bus that boards and devices listen to."""
