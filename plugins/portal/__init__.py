"""crm plugin: portal."""
