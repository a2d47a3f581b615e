"""assistant: the product's outer layer: settings, bootstrap wiring, CLI and HTTP service.

Depends on dispatch_core and retrieval; nothing depends on it.
"""
