"""Encrypted, versioned, crash-safe wallet file."""
