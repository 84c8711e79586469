"""Wallet pages and their service object."""
