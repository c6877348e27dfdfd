"""Hooks run through pluggy's own caller: wrappers work, events are isolated, services fail loudly."""

import types

import pluggy
import typer

from crm import hookimpl
from crm.api import add_customer, current
from crm.errors import TemporaryFailure

NO_BUILTINS = {"CRM_PLUGINS": ""}


class SectionWrapper:
    """A new-style wrapper (``wrapper=True``) sees and extends the other plugins' sections."""

    __name__ = "section_wrapper"

    @hookimpl(wrapper=True)
    def customer_sections(self, app, customer):
        answers = yield
        return [*answers, [{"title": "Wrapped", "rows": [{"others": len(answers)}]}]]


class Sections:
    __name__ = "sections"

    @hookimpl
    def customer_sections(self, app, customer):
        return [{"title": "Plain", "rows": [{"x": 1}]}]


def test_a_new_style_wrapper_wraps_the_other_implementations(crm):
    crm.plugins = [Sections(), SectionWrapper()]
    crm("customer", "add", "--name", "张三", env=NO_BUILTINS)
    page = crm.json("customer", "show", "1", env=NO_BUILTINS)
    titles = [s["title"] for s in page["sections"]]
    assert "Plain" in titles and "Wrapped" in titles
    assert next(s for s in page["sections"] if s["title"] == "Wrapped")["rows"] == [{"others": 1}]


class EventWrapper:
    """An old-style wrapper (``hookwrapper=True``) around an event hook runs once, around the rest."""

    __name__ = "event_wrapper"

    def __init__(self):
        self.calls = []

    @hookimpl(hookwrapper=True)
    def on_customer_created(self, tx, customer):
        self.calls.append(("before", customer["name"]))
        outcome = yield
        self.calls.append(("after", outcome.get_result()))


class Failing:
    __name__ = "failing"

    @hookimpl
    def on_customer_created(self, tx, customer):
        tx.conn.execute("UPDATE customers SET city = 'broken' WHERE id = ?", (customer["id"],))
        raise RuntimeError("plugin bug")


class Noting:
    __name__ = "noting"

    @hookimpl
    def on_customer_created(self, tx, customer):
        tx.conn.execute("UPDATE customers SET notes = 'seen' WHERE id = ?", (customer["id"],))


def test_an_old_style_wrapper_sees_the_events_and_a_failing_event_is_isolated(crm):
    wrapper = EventWrapper()
    crm.plugins = [Noting(), Failing(), wrapper]
    result = crm("customer", "add", "--name", "张三", env=NO_BUILTINS)
    assert "plugin 'failing' failed in on_customer_created: RuntimeError: plugin bug" in result.stderr
    assert wrapper.calls == [("before", "张三"), ("after", [])]
    # the failing plugin's write is undone alone; the other plugin's and the customer stay
    assert crm.sql("SELECT name, city, notes FROM customers") == [("张三", None, "seen")]


def _asking_app(service: str, argument: str):
    app = typer.Typer()

    @app.command()
    def go():
        crm = current()
        with crm.transaction() as tx:
            add_customer(tx, {"name": "李四"})
            tx.ask(service, **{argument: {"customer_id": 1, "kind": "callback", "payload": {}}})

    return app


class Asker:
    __name__ = "asker"

    def __init__(self, service, argument):
        self.app = _asking_app(service, argument)

    @hookimpl
    def register_commands(self, register):
        register("ask", self.app, help="Ask for a service")


class BrokenService:
    __name__ = "broken_service"

    def __init__(self, exc):
        self.exc = exc

    @hookimpl
    def send_to_portal(self, tx, item):
        raise self.exc

    @hookimpl
    def schedule_callback(self, tx, request):
        raise self.exc


def test_a_failing_service_fails_the_command_naming_plugin_and_hook(crm):
    crm.plugins = [Asker("send_to_portal", "item"), BrokenService(RuntimeError("disk on fire"))]
    result = crm("ask", "go", env=NO_BUILTINS, expect=1)
    assert "plugin 'broken_service' failed in send_to_portal: RuntimeError: disk on fire" in result.stderr
    assert "warning" not in result.stderr
    assert crm.sql("SELECT count(*) FROM customers") == [(0,)]  # the answer owed is not dropped quietly


def test_a_service_that_says_try_again_exits_75(crm):
    crm.plugins = [Asker("schedule_callback", "request"), BrokenService(TemporaryFailure("queue locked"))]
    result = crm("ask", "go", env=NO_BUILTINS, expect=75)
    assert "plugin 'broken_service' failed in schedule_callback: TemporaryFailure: queue locked" in result.stderr
    assert crm.sql("SELECT count(*) FROM customers") == [(0,)]


class Provider:
    __name__ = "provider"

    @hookimpl
    def send_to_portal(self, tx, item):
        return 42


class ServiceWrapper:
    __name__ = "service_wrapper"

    def __init__(self):
        self.seen = []

    @hookimpl(wrapper=True)
    def send_to_portal(self, tx, item):
        answer = yield
        self.seen.append(answer)
        return answer


def test_a_wrapper_around_a_service_sees_its_single_answer(crm):
    wrapper = ServiceWrapper()
    crm.plugins = [Asker("send_to_portal", "item"), Provider(), wrapper]
    crm("ask", "go", env=NO_BUILTINS)
    assert wrapper.seen == [42]
    assert crm.sql("SELECT count(*) FROM customers") == [(1,)]


@pluggy.HookspecMarker("crm")(firstresult=True)
def pick_greeting(customer):
    """The greeting for a customer: the first answer wins."""


OWN_SPECS = types.ModuleType("own_specs_hookspecs")
OWN_SPECS.pick_greeting = pick_greeting


class OwnSpecs:
    """A plugin adding a hook of its own, as the callbacks and portal plugins do."""

    __name__ = "own_specs"

    @hookimpl
    def add_hookspecs(self, pluginmanager):
        pluginmanager.add_hookspecs(OWN_SPECS)


class Greeting:
    __name__ = "greeting"

    @hookimpl
    def pick_greeting(self, customer):
        return f"您好 {customer}"


class WrongGreeting:
    __name__ = "wrong_greeting"

    @hookimpl
    def pick_greeting(self, customer, mood):  # not in the spec: refused at registration
        return "?"


def test_a_plugins_own_hookspecs_are_added_as_it_registers(crm):
    from crm.api import App

    app = App(environ={**crm_env(crm), **NO_BUILTINS}, extra_plugins=[OwnSpecs(), Greeting(), WrongGreeting()],
              err=lambda message: None)
    plugins = app.plugins
    status = {i.name: i.status for i in plugins.infos if i.source == "registered"}
    assert status == {"own_specs": "loaded", "greeting": "loaded", "wrong_greeting": "failed"}
    assert plugins.call_first("pick_greeting", customer="张三") == "您好 张三"  # firstresult from the spec


def crm_env(crm):
    return {"CRM_DB": str(crm.db_path), "CRM_CONFIG": str(crm.config_path)}
