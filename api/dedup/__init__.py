"""The review queue in GraphQL: duplicate candidates and decisions."""
