"""The outside world behind small interfaces: notifications, templates, hashing."""
