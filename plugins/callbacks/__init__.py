"""crm plugin: callbacks."""
