"""dispatch_core: ranking of repair shops for motor claims.

Pure numpy/scipy: this package imports nothing of web, LLM or FAISS code, so it can run
inside the API, a batch job or a stream processor (a test holds this rule).
"""
