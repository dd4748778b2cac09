"""Privacy (PIPL): retention and its daily purge, offboarding from terminals, a person's export."""
