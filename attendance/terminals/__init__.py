"""The service side of the hall's terminals: ADMS endpoints, pollers, listeners, supervision."""
