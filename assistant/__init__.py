"""assistant: the product's outer layer: settings, bootstrap wiring, CLI and HTTP service.

Depends on dispatch_core and retrieval; nothing depends on it. Importing the package is light: the extractor
(jieba, gazetteers, and LangChain when an LLM is configured) is built on the first `extract_preferences` call.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from assistant.preferences import Preferences

if TYPE_CHECKING:
    from assistant.extraction import PreferenceExtractor

__all__ = ["Preferences", "extract_preferences"]


def extract_preferences(text: str, prior: Preferences | None = None) -> Preferences:
    """The preferences in `text` (English or Chinese), merged into `prior`: later statements win.

    Uses the local NLU unless `RIH_LLM_BASE_URL` configures an LLM (which falls back to the local NLU).
    """
    return _default_extractor().extract(text, prior)


@functools.cache
def _default_extractor() -> PreferenceExtractor:
    from assistant.extraction import make_extractor
    from assistant.settings import Settings

    return make_extractor(Settings.model_validate({}))  # the environment and .env fill it
