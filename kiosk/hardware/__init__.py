"""The queue's hardware glue: ticket printer, LED boards and keypads driven from the queue's events."""
