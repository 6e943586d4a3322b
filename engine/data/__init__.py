"""Reference data shipped with the engine (code lists, calendars), read with importlib.resources."""
