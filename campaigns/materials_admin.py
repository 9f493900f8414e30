"""Admin for the printed materials and the police contact numbers."""
