"""Reports, KPIs and the daily agenda (crm report, crm today)."""
