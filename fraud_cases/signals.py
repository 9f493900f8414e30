"""What the fraud case registry announces, for the apps above it.

Sent inside the registration's transaction (a receiver's writes commit or roll back with the case).
"""

from django.dispatch import Signal

#: A case was registered whose victim had been warned before (``case.warning`` is set): ``case``, ``actor``.
#: The assessment app opens the incident review (事故复盘) when the warning is recent enough.
case_registered_after_warning = Signal()
