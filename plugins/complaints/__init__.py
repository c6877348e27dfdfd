"""crm plugin: complaints (投诉) — the six-step closed loop, deadlines, escalation, statistics."""
