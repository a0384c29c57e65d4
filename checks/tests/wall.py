"""Records of store B that tests/test_wall.py puts to the wall, keyed by URL keyword argument."""


def records(world) -> dict:
    return {}
