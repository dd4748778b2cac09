"""ADMS / iClock HTTP push: protocol functions, command builders and a terminal simulator."""
