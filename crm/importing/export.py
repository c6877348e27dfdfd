"""``crm customer export``: customers with their cars to CSV/XLSX/JSON, masked by role."""

from __future__ import annotations

import os
from pathlib import Path

from .writers import FORMATS, format_of, write_rows

#: (column, English header = an import alias, Chinese header = an import alias)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "id", "系统编号"),  # not 客户编号: that is the dealer's own ref (an import alias)
    ("name", "name", "姓名"),
    ("gender", "gender", "性别"),
    ("birthday", "birthday", "出生日期"),
    ("mobile", "mobile", "手机"),
    ("mobile2", "mobile2", "手机2"),
    ("landline", "landline", "座机"),
    ("wechat", "wechat", "微信"),
    ("email", "email", "邮箱"),
    ("city", "city", "城市"),
    ("address", "address", "地址"),
    ("source", "source", "客户来源"),
    ("classification", "classification", "客户等级"),
    ("specialist", "specialist", "专员"),
    ("tags", "tags", "标签"),
    ("do_not_contact", "do_not_contact", "勿扰"),
    ("vin", "vin", "车架号"),
    ("plate", "plate", "车牌号"),
    ("model", "model", "车型"),
    ("model_year", "model year", "年款"),
    ("colour", "colour", "颜色"),
    ("delivery_date", "delivery date", "购车日期"),
    ("mileage", "mileage", "里程"),
    ("insurance_expires", "insurance expiry", "保险到期"),
    ("inspection_due", "inspection due", "年检到期"),
    ("created_at", "created_at", "建档时间"),
    ("updated_at", "updated_at", "更新时间"),
)

_SQL = """
SELECT c.id, c.name, c.gender, c.birthday, c.mobile, c.mobile2, c.landline, c.wechat, c.email, c.city,
       c.address, c.source, c.classification, s.code AS specialist,
       (SELECT group_concat(t.tag, '、') FROM customer_tags t WHERE t.customer_id = c.id) AS tags,
       c.do_not_contact, v.vin, v.plate, v.model, v.model_year, v.colour, v.delivery_date, v.mileage,
       v.insurance_expires, v.inspection_due, c.created_at, c.updated_at
FROM customers c
LEFT JOIN staff s ON s.id = c.specialist_id
LEFT JOIN vehicles v ON v.customer_id = c.id
"""


def _where(app, filters: dict) -> tuple[str, list]:
    """The archive's one customer filter (crm/archive/filters.py), as ``customer list`` reads it."""
    from ..archive.filters import compile_filter

    where, params = compile_filter({k: v for k, v in filters.items() if v}, today=app.today())
    return " WHERE " + where, params


def export_customers(app, file: str, *, chinese_headers: bool = False, masked: bool | None = None,
                     limit: int | None = None, filters: dict | None = None) -> tuple[int, Path, str, bool]:
    """Write the export; returns (rows, path, format, masked)."""
    from ..io.writers import check_target

    path = check_target(Path(file), tuple(f".{f}" for f in FORMATS))  # never the database or a device
    fmt = format_of(path)
    chosen = {k: v for k, v in (filters or {}).items() if v}
    do_mask = not app.unmasked_file("customer", unmasked=None if masked is None else not masked,
                                    filters={**chosen, "limit": limit}, fmt=fmt)
    where, params = _where(app, filters or {})
    sql = _SQL + where + " ORDER BY c.id, v.id"
    if limit:
        sql = (f"SELECT * FROM ({_SQL}{where} ) WHERE id IN (SELECT c.id FROM customers c"
               f" LEFT JOIN staff s ON s.id = c.specialist_id{where} ORDER BY c.id LIMIT ?) ORDER BY id")
        params = params + params + [limit]
    columns = [c for c, _en, _zh in COLUMNS]
    headers = [zh if chinese_headers else en for _c, en, zh in COLUMNS]

    from ..masking import mask_row

    def rows():
        cur = app.store.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        for raw in cur:
            row = dict(zip(names, raw))
            yield mask_row(row) if do_mask else row

    with app.transaction() as tx:
        count = write_rows(path, rows(), columns=columns, headers=headers, fmt=fmt)
        tx.audit("export", "customer", count=count,
                 detail={"path": os.path.abspath(path), "format": fmt, "masked": do_mask,
                         "filters": {k: v for k, v in (filters or {}).items() if v}})
    return count, path, fmt, do_mask
