"""The dialogue graph, built by a function so tests inject fakes: one invocation = one customer turn.

    understand -> (handoff | own_shop | confirm | reject | gather | recommend | remind | closed) -> END

Safety routing (a human when asked, injury, dispute, fraud signals, anger) always runs on the local NLU.
With a chat model configured, the LLM agent node takes the steering routes (gather, recommend, reject,
confirm, remind) and drives the dispatch tools itself; without one the templated nodes do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from langgraph.graph import END, START, StateGraph

from assistant.dialogue import act
from assistant.dialogue.ports import DialogueDeps
from assistant.dialogue.state import DialogueState
from assistant.dialogue.understand import understand

LOCAL_NODES: dict[str, Callable[[DialogueState, DialogueDeps], dict[str, Any]]] = {
    "handoff": act.handoff,
    "own_shop": act.own_shop,
    "confirm": act.confirm,
    "reject": act.reject,
    "gather": act.gather,
    "recommend": act.recommend,
    "remind": act.remind,
    "closed": act.closed,
}
log = logging.getLogger("rih.dialogue")
AGENT_ROUTES = ("confirm", "reject", "gather", "recommend", "remind")


def build_graph(deps: DialogueDeps) -> Any:
    graph = StateGraph(DialogueState)
    graph.add_node("understand", lambda state: understand(state, deps))
    for name, node in LOCAL_NODES.items():
        graph.add_node(name, _bind(node, deps))
    graph.add_edge(START, "understand")
    if deps.chat_model is not None:
        from assistant.dialogue.agent import agent_turn

        graph.add_node("agent", lambda state: _agent_or_local(state, deps, agent_turn))
        targets = {route: ("agent" if route in AGENT_ROUTES else route) for route in LOCAL_NODES}
        graph.add_edge("agent", END)
    else:
        targets = {route: route for route in LOCAL_NODES}
    graph.add_conditional_edges("understand", lambda state: state["route"], targets)
    for name in LOCAL_NODES:
        graph.add_edge(name, END)
    return graph.compile()


def _agent_or_local(state: DialogueState, deps: DialogueDeps, agent_turn: Any) -> dict[str, Any]:
    """The LLM's turn; on a timeout or any model error the local node answers instead, and the trace
    says so (the customer never sees an error because an endpoint is down)."""
    try:
        return dict(agent_turn(state, deps))
    except Exception as error:  # an outside service: whatever it raises, the local backend answers
        log.warning("LLM turn failed (%s); the local backend answers this turn", type(error).__name__)
        update = LOCAL_NODES[state["route"]](state, deps)
        trace = [*state.get("trace", []), {"backend": "local-fallback", "error": type(error).__name__}]
        return {**update, "trace": trace}


def _bind(
    node: Callable[[DialogueState, DialogueDeps], dict[str, Any]], deps: DialogueDeps
) -> Callable[[DialogueState], dict[str, Any]]:
    return lambda state: node(state, deps)
