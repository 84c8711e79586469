"""Alerts: state changes become debounced events, kept in a history and delivered to Telegram
and Discord (the desktop notification lives in the GUI)."""
