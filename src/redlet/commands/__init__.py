"""Command groups.  Each module registers its commands in ``registry``;
``load_all`` imports every module of this package once."""
import importlib
import pkgutil

_loaded = False


def load_all():
    global _loaded
    if _loaded:
        return
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name != "registry":
            importlib.import_module(__name__ + "." + info.name)
    _loaded = True
