"""Tool-agent-user scenarios in the manner of tau-bench: a simulated policyholder with a hidden goal talks to
the assistant; end-state checks judge the outcome; each scenario runs k times with different seeds."""
