"""The conversation: a LangGraph state graph from greeting to a booked shop (or a human agent)."""
