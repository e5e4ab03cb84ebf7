"""Geography (state > district > block > gram panchayat > village), CBOs (CLF > VO > SHG),
members, and the scopes that decide who sees what."""
