"""RS-485 call keypads (呼叫器) and evaluators (评价器)."""
