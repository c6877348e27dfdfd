"""Merging two customers' campaign rows, and erasing a forgotten customer's personal data."""

from __future__ import annotations

import json

UNIQUE_PER_CUSTOMER = ("campaigns_invitations", "campaigns_care_sends", "campaigns_survey_sends",
                       "campaigns_run_targets")
PLAIN = ("campaigns_messages", "campaigns_gifts", "campaigns_oem_vins", "campaigns_survey_responses")


def _rewrite_segments(tx, old: int, new: int | None) -> None:
    for row in tx.store.query("SELECT id, spec FROM campaigns_segments"):
        spec = json.loads(row["spec"])
        ids = spec.get("customers")
        if not ids or old not in ids:
            continue
        ids = sorted({i for i in ids if i != old} | ({new} if new is not None else set()))
        # an empty list would widen the segment to everyone: [0] keeps it empty
        spec["customers"] = ids or [0]
        tx.conn.execute("UPDATE campaigns_segments SET spec = ? WHERE id = ?",
                        (json.dumps(spec, ensure_ascii=False, sort_keys=True), row["id"]))


def merge(tx, kept_id: int, merged_id: int) -> None:
    for table in UNIQUE_PER_CUSTOMER:
        tx.conn.execute(f"UPDATE OR IGNORE {table} SET customer_id = ? WHERE customer_id = ?", (kept_id, merged_id))
        tx.conn.execute(f"DELETE FROM {table} WHERE customer_id = ?", (merged_id,))
    for table in PLAIN:
        tx.conn.execute(f"UPDATE {table} SET customer_id = ? WHERE customer_id = ?", (kept_id, merged_id))
    tx.conn.execute("UPDATE campaigns_referrals SET referrer_id = ? WHERE referrer_id = ?", (kept_id, merged_id))
    tx.conn.execute("UPDATE campaigns_referrals SET referred_id = ? WHERE referred_id = ?", (kept_id, merged_id))
    _rewrite_segments(tx, merged_id, kept_id)


def forget(tx, customer_id: int) -> None:
    tx.conn.execute("DELETE FROM campaigns_outbox WHERE written_at IS NULL AND message_id IN"
                    " (SELECT id FROM campaigns_messages WHERE customer_id = ?)", (customer_id,))
    tx.conn.execute("UPDATE campaigns_outbox SET to_addr = NULL, text = NULL WHERE message_id IN"
                    " (SELECT id FROM campaigns_messages WHERE customer_id = ?)", (customer_id,))
    tx.conn.execute("UPDATE campaigns_messages SET to_addr = NULL, text = NULL,"
                    " status = CASE status WHEN 'held' THEN 'failed' ELSE status END WHERE customer_id = ?",
                    (customer_id,))
    tx.conn.execute("UPDATE campaigns_invitations SET note = NULL WHERE customer_id = ?", (customer_id,))
    tx.conn.execute("UPDATE campaigns_gifts SET note = NULL WHERE customer_id = ?", (customer_id,))
    tx.conn.execute("UPDATE campaigns_survey_answers SET value_text = NULL WHERE value_text IS NOT NULL AND"
                    " question_id IN (SELECT id FROM campaigns_survey_questions WHERE type = 'text') AND response_id IN"
                    " (SELECT id FROM campaigns_survey_responses WHERE customer_id = ?)", (customer_id,))
    tx.conn.execute("UPDATE campaigns_referrals SET referred_name = NULL, referred_phone = NULL, note = NULL"
                    " WHERE referrer_id = ? OR referred_id = ?", (customer_id, customer_id))
    _rewrite_segments(tx, customer_id, None)
