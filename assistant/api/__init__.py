"""The HTTP service: thin routes over bootstrap-wired services."""
