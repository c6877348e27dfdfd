"""The channels and purposes of contacting a customer: the contact policy's words
(crm/archive/contact.py), in a module of their own that imports nothing, so a plugin's
config keys can name them at start-up without loading the policy."""

#: The channels a customer can be contacted on (and consents are kept for), once for all.
CHANNELS = ("phone", "sms", "wechat", "email")
#: Why we contact: ``safety`` (a safety recall: a legal duty to inform the owner),
#: ``service`` (about the customer's own car: callbacks after a visit or delivery,
#: maintenance/inspection reminders, service campaigns, appointment and repair notices,
#: complaint follow-ups, satisfaction surveys), ``care`` (birthdays, holidays,
#: anniversaries, card renewal) and ``marketing`` (events, win-back, referrals, offers).
PURPOSES = ("safety", "service", "care", "marketing")
