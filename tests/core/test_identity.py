"""Who acts, and what their role may see."""

import pytest

from crm.masking import mask_phone


def test_mask_phone_shapes():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-12345678") == "010-****5678"


@pytest.mark.parametrize("role_code,masked", [
    ("li", False), ("wangfang", False), ("zhaomin", False), ("chenjing", False), ("liuyang", False),
    ("sunwei", True), ("it", True), (None, True),
])
def test_customer_mobile_masked_by_role(staffed, role_code, masked):
    staffed("customer", "add", "--name", "张三", "--mobile", "13812345678")
    args = ["--as", role_code] if role_code else []
    page = staffed.json(*args, "customer", "show", "1")
    assert page["customer"]["mobile"] == ("138****5678" if masked else "13812345678")
    listing = staffed.json(*args, "customer", "list")
    assert listing[0]["mobile"] == page["customer"]["mobile"]


def test_crm_user_env_names_the_actor(staffed):
    staffed("customer", "add", "--name", "张三", env={"CRM_USER": "wangfang"})
    assert staffed.sql("SELECT actor, role FROM audit_log WHERE entity = 'customer'") == [("wangfang", "callback")]


def test_unmasked_roles_come_from_config(staffed):
    staffed.write_config('[privacy]\nunmasked_roles = ["manager"]\n')
    staffed("customer", "add", "--name", "张三", "--mobile", "13812345678")
    assert staffed.json("--as", "wangfang", "customer", "show", "1")["customer"]["mobile"] == "138****5678"
    assert staffed.json("--as", "li", "customer", "show", "1")["customer"]["mobile"] == "13812345678"
