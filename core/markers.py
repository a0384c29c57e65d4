"""Markers shared by the services of every app."""


class Unchanged:
    """The value of an update's argument that was not given: the field stays as it is (None may be a value)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()
