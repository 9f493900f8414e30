from . import materials_admin  # noqa: F401  (printed materials and contact numbers)
