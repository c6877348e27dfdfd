"""crm plugin: campaigns."""
