"""The GraphQL API (strawberry, Apollo Federation v2 subgraph), auth and the ASGI app.

The only package that imports strawberry: it translates GraphQL to domain
calls and domain results to GraphQL types.
"""
