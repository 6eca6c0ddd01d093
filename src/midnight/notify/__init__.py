"""Telling people: message templates, the outbox, delivery through Apprise, the daily schedule."""
