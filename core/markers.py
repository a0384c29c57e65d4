"""Markers shared by the services of every app."""


class Unchanged:
    """The value of an update's argument that was not given: the field stays as it is (None may be a value)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = Unchanged()


def given(**values) -> dict:
    """The update's arguments that were given: those left UNCHANGED are left out."""
    return {key: value for key, value in values.items() if value is not UNCHANGED}
