"""Issue 18 §10: small things in daily use."""


def test_forget_an_unknown_customer_says_so_before_asking_for_yes(staffed):
    out = staffed("customer", "forget", "999", env={"CRM_USER": "li"}, expect=2)
    assert "999" in out.stderr and "--yes" not in out.stderr


def test_audit_list_refuses_a_negative_limit(staffed):
    out = staffed("audit", "list", "--limit", "-1", env={"CRM_USER": "li"}, expect=2)
    assert "--limit" in out.stderr
