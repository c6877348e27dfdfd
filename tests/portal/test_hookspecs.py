"""on_portal_record is the portal plugin's own hook, not the core's."""

from crm import hookspecs


def test_the_core_does_not_define_the_portal_hook():
    assert not hasattr(hookspecs, "on_portal_record")


def test_plugins_taking_portal_records_still_load_without_the_portal(crm):
    rows = {r["name"]: r for r in crm.json("plugins", "list", env={"CRM_PLUGINS": "complaints,campaigns"})}
    assert rows["portal"]["status"] == "disabled"
    assert rows["complaints"]["status"] == "loaded" and rows["campaigns"]["status"] == "loaded"
    crm("complaints", "list", env={"CRM_PLUGINS": "complaints,campaigns"})


def test_with_the_portal_its_hook_has_a_spec_and_reaches_the_plugins(crm):
    rows = {r["name"]: r for r in crm.json("plugins", "list")}
    assert "add_hookspecs" in rows["portal"]["hooks"]
    assert "on_portal_record" in rows["complaints"]["hooks"] and "on_portal_record" in rows["campaigns"]["hooks"]
