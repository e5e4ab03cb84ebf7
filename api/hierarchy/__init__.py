"""The hierarchy's corner of the API: geo units, CBOs and members."""
