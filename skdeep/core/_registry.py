"""Name lookup shared by every registry of the core."""


def lookup(name, registry, kind):
    """Return ``registry[name]`` or raise a ValueError that lists the valid names.

    Parameters
    ----------
    name : str
        The requested name.
    registry : dict
        Mapping of valid names to implementations.
    kind : str
        What the names denote (used in the error message), e.g. ``"activation"``.

    Returns
    -------
    entry : object
        The registered implementation.
    """
    try:
        return registry[name]
    except (KeyError, TypeError):
        valid = ", ".join(repr(key) for key in sorted(registry, key=str))
        raise ValueError(f"Unknown {kind} {name!r}; valid names are {valid}.") from None
