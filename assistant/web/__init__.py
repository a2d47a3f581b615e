"""The three web pages (customer chat, agent console, operations dashboard), served by the app."""

from assistant.web.pages import install_web, router

__all__ = ["install_web", "router"]
