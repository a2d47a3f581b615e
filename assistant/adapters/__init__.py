"""Adapters from outside systems to the assistant's services (the Redis Streams capacity consumer).

Modules here import their client libraries; import them only where they are wired.
"""
