"""crm plugin: complaints."""
