"""Domain events of the projects app that higher apps (automation) subscribe to."""

from django.dispatch import Signal

#: Sent once, after the transaction that marked a version `ready` committed.
#: kwargs: version_id
version_ready = Signal()

#: Sent after a version ended `failed`. kwargs: version_id, error
version_failed = Signal()
