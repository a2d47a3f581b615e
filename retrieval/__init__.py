"""retrieval: the shop catalog (generator + store) and bilingual FAISS candidate retrieval.

Depends on numpy, faiss and an embedder port; knows nothing of the web, the LLM or the dialogue.
"""
