"""Widgets of the node monitor dashboard (the Local node page once a node is watched)."""
