"""The callbacks plugin's own hook: other plugins add callback rules without importing it.

Added to crm's plugin manager through ``add_hookspecs`` (see :mod:`crm_callbacks.plugin`).
"""

from __future__ import annotations

from typing import Callable

import pluggy

hookspec = pluggy.HookspecMarker("crm")


@hookspec
def register_callback_rules(register: Callable[..., None], settings: dict) -> None:
    """Add rules to ``crm callbacks plan`` (回访规则): who must be called, when, and why.

    Called each time the planner runs.  Implement it with
    ``@hookimpl(optionalhook=True)`` so your plugin still loads without callbacks.

    :param register: ``register(name, find, *, title, window_days=3, expire_days=15,
        enabled=True, options=None, purpose="service")``.  ``name`` is unique (``[a-z_]+``);
        ``title`` is the department's word for the reason (e.g. "召回通知"); ``purpose``
        (``safety``, ``service``, ``care``, ``marketing``: docs/privacy.md) is what the core's
        contact policy is asked for each candidate.  ``find(ctx, lo, hi)`` returns
        an iterable of candidate dicts whose start day ``on`` lies in ``[lo, hi]`` (two
        ``datetime.date``):

        - ``customer_id`` (int, required), ``on`` (date: first day to call, required),
        - ``key`` (str, required): stable identity of this occasion; a key is planned once,
        - ``reason`` (str): shown in the queue and the record sheet,
        - optional ``due_on`` (date; default ``window_days`` working days from ``on``),
          ``trigger`` (date the occasion happened; the task expires ``expire_days``
          after it), ``vehicle_id``, ``visit_id``, ``avoid_staff`` (staff codes who must
          not make this call), ``skip`` (a reason not to call, shown by ``--explain``).

        ``ctx`` has ``conn`` (sqlite3, read only please), ``as_of`` (date), ``calendar``
        (the app's working days, :class:`crm.api.Calendar`), ``options``
        (this rule's ``[callbacks.rules.<name>]`` config table merged over ``options``),
        ``full`` (bool: ``plan --full``).  The planner asks the contact policy (consent,
        do-not-contact, a number), checks duplicates, merging and capacity itself; a rule
        only says who and when.
    :param settings: the ``[callbacks]`` config section (read only).

    Example::

        @hookimpl(optionalhook=True)
        def register_callback_rules(register, settings):
            def find(ctx, lo, hi):
                rows = ctx.conn.execute(
                    "SELECT customer_id, done_on, id FROM campaigns_done WHERE done_on BETWEEN ? AND ?",
                    (lo.isoformat(), hi.isoformat()))
                for customer_id, done_on, ref in rows:
                    yield {"customer_id": customer_id, "on": date.fromisoformat(done_on),
                           "key": f"recall:{ref}", "reason": "召回完成回访"}
            register("recall_done", find, title="召回完成回访", window_days=3)
    """
