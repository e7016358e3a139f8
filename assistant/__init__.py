"""政策自评估助手: hybrid retrieval over policy clauses plus a deterministic subsidy calculator."""

__version__ = "0.1.0"
