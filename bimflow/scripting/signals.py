"""Domain events of the scripting app (automation and notifications subscribe)."""

from django.dispatch import Signal

#: Sent after an execution reached a final status and it was committed.
#: kwargs: execution_id
execution_finished = Signal()
