"""The hall's voice made by the service: recorded clips joined by Chinese reading rules.

`reading` says which clips a call is made of, `clips` loads and joins them into a WAV, and
`announcer` turns each call on the event bus into an announcement: a WAV at a URL the hall
board plays, and (when configured) on the server's own sound device, all from one queue.
"""
