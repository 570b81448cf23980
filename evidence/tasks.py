"""Celery discovers evidence.tasks; the tasks live in one module per sub-domain."""

from evidence.tasks_bundles import *  # noqa: F401,F403
from evidence.tasks_custody import *  # noqa: F401,F403
from evidence.tasks_deadlines import *  # noqa: F401,F403
from evidence.tasks_retention import *  # noqa: F401,F403
