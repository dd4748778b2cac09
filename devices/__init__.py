"""Device adapters: bytes from the hall's hardware in, frozen events out."""
