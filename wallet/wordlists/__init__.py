"""BIP39 word lists (data files)."""
