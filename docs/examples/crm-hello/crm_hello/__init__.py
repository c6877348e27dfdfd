"""crm-hello: the plugin written in docs/plugin-tutorial.md."""
