"""nbgrader for the instructor's server (on JUPYTER_CONFIG_PATH; deploy/bshtrain_hub.py sets the
variables read here).

1. The course's own config. The server starts in the course root, but nbgrader reads a course's
   nbgrader_config.py only from the current folder, and a hub starts servers in the home folder:
   so it is loaded from the course root here. A missing one raises, which nbgrader only logs
   (design 3, trap 3), and the formgrader shows the error in its config panel.
2. The exchange and the gradebook (PostgreSQL, `BSHTRAIN_GRADEBOOK_URL`).
3. Keys stay out of what trainees get, whatever runs the conversion: the course config's
   post-convert hooks (bshtrain.engine.nbgrader_plugins.remove_after) remove the key after the
   formgrader's Generate and Feedback buttons too, which bypass the app-scoped ignore lists
   (seen on the test hub). Loading the course config here brings them along.
"""

import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

root = os.environ.get("BSHTRAIN_COURSE_ROOT")
if root:
    course_config = os.path.join(root, "nbgrader_config.py")
    if not os.path.isfile(course_config):
        raise FileNotFoundError(f"{course_config}: the course root holds no nbgrader_config.py")
    load_subconfig(course_config)  # noqa: F821 (provided by traitlets)
c.CourseDirectory.course_id = os.environ.get("BSHTRAIN_COURSE_ID", "bshtrain")
c.Exchange.root = os.environ.get("BSHTRAIN_EXCHANGE", "/srv/nbgrader/exchange")
if os.environ.get("BSHTRAIN_GRADEBOOK_URL"):
    c.CourseDirectory.db_url = os.environ["BSHTRAIN_GRADEBOOK_URL"]
