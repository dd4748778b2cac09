"""The queue's hardware glue: ticket printer, LED boards and keypads, driven by its events."""
