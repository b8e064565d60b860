"""nbgrader for a trainee's server (on JUPYTER_CONFIG_PATH; deploy/bshtrain_hub.py sets both
variables read here): the course and the exchange, nothing else. Fetched exercises go into the
server's root folder (the trainee's home), as <exercise>/."""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = os.environ.get("BSHTRAIN_COURSE_ID", "bshtrain")
c.Exchange.root = os.environ.get("BSHTRAIN_EXCHANGE", "/srv/nbgrader/exchange")
