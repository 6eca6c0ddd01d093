"""Use cases: one function per thing a person does, each one unit of work."""
